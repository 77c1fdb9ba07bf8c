package io.tributary.gateway.auth;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code tributary.security.*}: see application.yml for what each one means and which
 * environment variable sets it.
 */
@ConfigurationProperties("tributary.security")
public record SecurityProperties(String adminKey, Jwt jwt, List<String> allowedOrigins, Duration credentialCache) {
    public SecurityProperties {
        jwt = jwt == null ? new Jwt(null, null, null, null) : jwt;
        allowedOrigins = allowedOrigins == null ? List.of() : allowedOrigins.stream().map(String::strip).filter(o -> !o.isEmpty()).toList();
        credentialCache = credentialCache == null ? Duration.ofSeconds(1) : credentialCache;
    }

    /** JWT bearer tokens: accepted only when a key (an HS256 secret or a JWKS file or URL) and an issuer are set. */
    public record Jwt(String hs256Secret, String jwks, String issuer, String audience) {
        public boolean enabled() {
            return present(hs256Secret) || present(jwks);
        }

        private static boolean present(String s) {
            return s != null && !s.isBlank();
        }
    }
}
