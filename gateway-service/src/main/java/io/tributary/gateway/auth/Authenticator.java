package io.tributary.gateway.auth;

import java.time.Duration;
import java.time.Instant;
import io.tributary.protocol.problem.TributaryException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Turns a bearer credential (an API key or a JWT) into the {@link Caller} it stands for, or
 * fails with {@link BadCredentialsException} saying why (never echoing the credential).
 *
 * <p>Answers, good and bad (not outages), are kept a second in the {@link CredentialCache}.
 * After that second a credential is looked up again; one that was good and whose lookup fails
 * or takes over half a second (Redis away) keeps its last good answer, so the data path keeps
 * working for every client it knows through a Redis outage (nothing can be revoked then
 * anyway: revoking needs Redis too).
 */
@Component
public class Authenticator {
    /** How long a known credential waits for Redis before its last good answer is used. */
    private static final Duration OUTAGE_WAIT = Duration.ofMillis(500);
    private final UserStore users;
    private final JwtVerifier jwt;
    private final CredentialCache cache;

    public Authenticator(UserStore users, JwtVerifier jwt, CredentialCache cache) {
        this.users = users;
        this.jwt = jwt;
        this.cache = cache;
    }

    public Mono<Caller> authenticate(String credential) {
        Mono<Caller> hit = cache.get(credential);
        if (hit != null) {
            return hit;
        }
        Mono<Caller> last = cache.lastGood(credential);
        Mono<Caller> lookup = lookupAndRemember(credential);
        if (last != null) {
            // Known and good a moment ago: if Redis is slow or away, go on with that answer after
            // a short wait rather than Redis's own timeout (nothing can be revoked while it is away).
            lookup = lookup.timeout(OUTAGE_WAIT);
        }
        return lookup.onErrorResume(e -> !(e instanceof AuthenticationException), e -> last != null ? last
                : Mono.error(e instanceof TributaryException ? e : TributaryException.unavailable("the user store (Redis) did not answer", e)));
    }

    private Mono<Caller> lookupAndRemember(String credential) {
        long now = System.nanoTime();
        return lookup(credential).materialize().doOnNext(signal -> remember(credential, signal, now)).dematerialize();
    }

    /** Keeps an answer about the credential; not an outage, which says nothing about it. */
    private void remember(String credential, reactor.core.publisher.Signal<Caller> signal, long at) {
        if (signal.isOnError() && !(signal.getThrowable() instanceof AuthenticationException)) {
            return;
        }
        Mono<Caller> answer = signal.isOnError() ? Mono.error(signal.getThrowable()) : Mono.justOrEmpty(signal.get());
        cache.put(credential, answer, at, !signal.isOnError());
    }

    private Mono<Caller> lookup(String credential) {
        if (ApiKey.looksLikeKey(credential)) {
            return byKey(credential);
        }
        if (!jwt.enabled()) {
            return Mono.error(new BadCredentialsException("the bearer credential is not an API key, and this cluster accepts no JWTs"));
        }
        return jwt.verify(credential)
                .onErrorMap(JwtException.class, e -> new BadCredentialsException("the JWT was refused: " + reasonOf(e)))
                .flatMap(token -> caller(token.getSubject(), "jwt", token.getExpiresAt()));
    }

    private Mono<Caller> byKey(String credential) {
        ApiKey key = ApiKey.parse(credential);
        if (key == null) {
            return Mono.error(new BadCredentialsException("the API key is malformed"));
        }
        return users.key(key.id())
                .filter(stored -> key.matches(stored.sha256()))
                .switchIfEmpty(Mono.error(() -> new BadCredentialsException("the API key is unknown or revoked")))
                .flatMap(stored -> caller(stored.user(), key.id(), null));
    }

    private Mono<Caller> caller(String user, String credential, Instant expiresAt) {
        return users.user(user)
                .switchIfEmpty(Mono.error(() -> new BadCredentialsException("no user '" + user + "' exists")))
                .zipWith(users.permissionsOf(user))
                .map(t -> new Caller(user, t.getT1().tags(), t.getT2(), credential, expiresAt));
    }

    /** Nimbus's messages name the failed check; keep the first sentence, which never holds the token. */
    private static String reasonOf(JwtException e) {
        String m = String.valueOf(e.getMessage());
        int colon = m.indexOf("An error occurred while attempting to decode the Jwt: ");
        m = colon >= 0 ? m.substring(colon + "An error occurred while attempting to decode the Jwt: ".length()) : m;
        return m.length() > 200 ? m.substring(0, 200) : m;
    }
}
