package io.tributary.gateway.auth;

import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Reads the credential of a request: {@code Authorization: Bearer <API key or JWT>}, or, on a
 * WebSocket upgrade or an SSE stream only (browsers cannot set headers on those), the
 * {@code access_token} query parameter (RFC 6750 2.3). Anywhere else a token in the URL is
 * refused, as it would end up in access logs and browser history for no reason.
 */
public class BearerCredentials implements ServerAuthenticationConverter {
    public static final String QUERY_PARAMETER = "access_token";
    private static final String BEARER = "Bearer ";

    @Override
    public Mono<Authentication> convert(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        String query = exchange.getRequest().getQueryParams().getFirst(QUERY_PARAMETER);
        if (header != null) {
            if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length()) || header.length() == BEARER.length()) {
                return Mono.error(new BadCredentialsException("the Authorization header must be 'Bearer <API key or JWT>'"));
            }
            return Mono.just(CallerAuthentication.unverified(header.substring(BEARER.length()).strip()));
        }
        if (query != null) {
            if (!isStream(exchange)) {
                return Mono.error(new BadCredentialsException(
                        "access_token is accepted on WebSocket and SSE streams only: send 'Authorization: Bearer ...'"));
            }
            return Mono.just(CallerAuthentication.unverified(query));
        }
        return Mono.empty();
    }

    private static boolean isStream(ServerWebExchange exchange) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        return path.startsWith("/ws/") || path.endsWith("/events");
    }
}
