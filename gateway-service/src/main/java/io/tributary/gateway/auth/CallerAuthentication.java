package io.tributary.gateway.auth;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Spring Security's view of a request's credential: before authentication only the bearer
 * credential, after it the {@link Caller} as principal and the user's tags as authorities.
 * The credential stays so that a long-lived session can be checked again later.
 */
public final class CallerAuthentication extends AbstractAuthenticationToken {
    private final String credential;
    private final Caller caller;

    private CallerAuthentication(String credential, Caller caller) {
        super(caller == null ? List.of() : caller.tags().stream().map(SimpleGrantedAuthority::new).toList());
        this.credential = credential;
        this.caller = caller;
        setAuthenticated(caller != null);
    }

    public static CallerAuthentication unverified(String credential) {
        return new CallerAuthentication(credential, null);
    }

    public static CallerAuthentication of(String credential, Caller caller) {
        return new CallerAuthentication(credential, caller);
    }

    @Override
    public String getCredentials() {
        return credential;
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }

    @Override
    public String getName() {
        return caller == null ? "anonymous" : caller.user();
    }
}
