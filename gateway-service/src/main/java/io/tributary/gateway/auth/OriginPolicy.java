package io.tributary.gateway.auth;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.util.List;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.DefaultCorsProcessor;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.server.ServerWebExchange;

/**
 * Which browser pages may call the gateway: same-origin pages (the Swagger UI it serves) and
 * the origins in {@code tributary.security.allowed-origins} (none by default). It covers
 * WebSocket upgrades too, which browsers send with their page's {@code Origin} but never
 * check by CORS themselves: a page elsewhere cannot ride a user's access_token into a
 * session (cross-site WebSocket hijacking). Requests without an Origin (every client that
 * is not a browser) are not affected. A refusal is a 403 problem, not Spring's empty 403.
 */
final class OriginPolicy {
    private OriginPolicy() {
    }

    static CorsWebFilter filter(SecurityProperties props) {
        CorsConfiguration c = new CorsConfiguration();
        c.setAllowedOrigins(props.allowedOrigins());
        c.setAllowedMethods(List.of("GET", "POST", "PUT", "DELETE"));
        c.setAllowedHeaders(List.of("Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"));
        c.setExposedHeaders(List.of("Retry-After", "Location"));
        c.setMaxAge(600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", c);
        return new CorsWebFilter(source, new DefaultCorsProcessor() {
            @Override
            public boolean process(CorsConfiguration config, ServerWebExchange exchange) {
                if (!super.process(config, exchange)) {
                    throw new TributaryException(ProblemType.FORBIDDEN, "requests from origin '"
                            + exchange.getRequest().getHeaders().getOrigin() + "' are not allowed (tributary.security.allowed-origins)");
                }
                return true;
            }
        });
    }
}
