package io.tributary.gateway.auth;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.HttpMethod;
import org.springframework.security.core.AuthenticationException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps long-lived consumer sessions (WebSocket, SSE) honest: a credential checked once at
 * the upgrade would otherwise read forever after its key was revoked, its token expired or
 * its read permission was taken away. Every second (the credential cache's lifetime) the
 * credential and the session's rule are checked again, and a JWT session ends at its
 * {@code exp}. The session's stream then fails with 401 or 403, which ends it the way any
 * error does: an error event on SSE, an error frame and close 1008 on WebSocket.
 */
@Component
public class SessionRecheck {
    private final Authenticator authenticator;
    private final AccessRules rules;
    private final AuditLog audit;
    private final Duration every;

    public SessionRecheck(Authenticator authenticator, AccessRules rules, AuditLog audit, SecurityProperties props) {
        this.authenticator = authenticator;
        this.rules = rules;
        this.audit = audit;
        this.every = props.credentialCache();
    }

    /** {@code deliveries}, failing as soon as the session's credential no longer allows {@code GET path}. */
    public <T> Flux<T> whileAllowed(Flux<T> deliveries, CallerAuthentication auth, String path) {
        // takeUntilOther, not a merge: the consumer's demand (its credit) reaches the deliveries unchanged.
        AtomicReference<TributaryException> ended = new AtomicReference<>();
        Mono<TributaryException> revoked = Mono.firstWithSignal(expiry(auth.getPrincipal()), recheck(auth, path))
                .doOnNext(e -> {
                    ended.set(e);
                    audit.sessionEnded(auth.getName(), auth.getPrincipal().credential(), path, e.getMessage());
                });
        return deliveries.takeUntilOther(revoked)
                .concatWith(Flux.defer(() -> ended.get() == null ? Flux.<T>empty() : Flux.<T>error(ended.get())));
    }

    private static Mono<TributaryException> expiry(Caller caller) {
        Instant exp = caller.expiresAt();
        if (exp == null) {
            return Mono.never();
        }
        Duration left = Duration.between(Instant.now(), exp);
        return Mono.delay(left.isNegative() ? Duration.ZERO : left)
                .map(i -> new TributaryException(ProblemType.UNAUTHORIZED, "the token expired at " + exp));
    }

    private Mono<TributaryException> recheck(CallerAuthentication auth, String path) {
        return Flux.interval(every, every).onBackpressureDrop()
                .concatMap(i -> authenticator.authenticate(auth.getCredentials())
                        .map(caller -> Optional.ofNullable(rules.deny(caller, HttpMethod.GET, path))
                                .map(why -> new TributaryException(ProblemType.FORBIDDEN, why)))
                        .onErrorResume(AuthenticationException.class, e -> Mono.just(Optional.of(
                                new TributaryException(ProblemType.UNAUTHORIZED, e.getMessage()))))
                        .onErrorResume(e -> Mono.just(Optional.empty())), 1) // Redis away: keep serving, ask again
                .filter(Optional::isPresent).map(Optional::get).next();
    }
}
