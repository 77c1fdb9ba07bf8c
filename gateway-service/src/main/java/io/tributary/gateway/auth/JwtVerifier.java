package io.tributary.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.stereotype.Component;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSecurityContextJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Checks JWT bearer tokens with Spring Security's Nimbus decoder: the signature with an HS256
 * secret or with the keys of a JWKS file or URL (RS256, ES256 only: the allow-list, so neither
 * {@code none} nor an HMAC made with a public key passes), then issuer, audience, expiry and
 * not-before (30 s of clock skew). Without a configured key no token is accepted.
 */
@Component
public class JwtVerifier {
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    private final ReactiveJwtDecoder decoder;

    public JwtVerifier(SecurityProperties props) {
        SecurityProperties.Jwt jwt = props.jwt();
        this.decoder = jwt.enabled() ? decoder(jwt) : null;
    }

    public boolean enabled() {
        return decoder != null;
    }

    public Mono<Jwt> verify(String token) {
        return decoder.decode(token);
    }

    /** The public keys of a JWKS file, read once at start: a file that cannot be read stops the gateway here, not at the first token. */
    private static List<JWK> jwksFile(String location) {
        java.nio.file.Path path = java.nio.file.Path.of(location.replaceFirst("^file:", ""));
        try {
            return JWKSet.load(path.toFile()).getKeys();
        } catch (java.io.IOException | java.text.ParseException e) {
            throw new IllegalStateException("tributary.security.jwt.jwks: cannot read the JWKS file " + path + ": " + e.getMessage(), e);
        }
    }

    private static ReactiveJwtDecoder decoder(SecurityProperties.Jwt jwt) {
        if (jwt.issuer() == null || jwt.issuer().isBlank() || jwt.audience() == null || jwt.audience().isBlank()) {
            throw new IllegalStateException("tributary.security.jwt needs an issuer and an audience besides its key");
        }
        NimbusReactiveJwtDecoder decoder;
        if (jwt.hs256Secret() != null && !jwt.hs256Secret().isBlank()) {
            byte[] secret = jwt.hs256Secret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new IllegalStateException("tributary.security.jwt.hs256-secret must be at least 32 bytes (RFC 7518 3.2)");
            }
            decoder = NimbusReactiveJwtDecoder.withSecretKey(new SecretKeySpec(secret, "HmacSHA256"))
                    .macAlgorithm(MacAlgorithm.HS256).build();
        } else if (jwt.jwks().startsWith("https://") || jwt.jwks().startsWith("http://")) {
            decoder = NimbusReactiveJwtDecoder.withJwkSetUri(jwt.jwks())
                    .jwsAlgorithms(algs -> algs.addAll(List.of(SignatureAlgorithm.RS256, SignatureAlgorithm.ES256))).build();
        } else {
            List<JWK> keys = jwksFile(jwt.jwks());
            // The builder takes one algorithm; the key selector is given both (the allow-list).
            decoder = NimbusReactiveJwtDecoder.withJwkSource(token -> Flux.fromIterable(keys))
                    .jwtProcessorCustomizer(p -> p.setJWSKeySelector(new JWSVerificationKeySelector<>(
                            Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256),
                            new JWKSecurityContextJWKSet())))
                    .build();
        }
        OAuth2TokenValidator<Jwt> audience = new JwtClaimValidator<List<String>>("aud",
                aud -> aud != null && aud.contains(jwt.audience()));
        OAuth2TokenValidator<Jwt> subject = new JwtClaimValidator<String>("sub", sub -> sub != null && !sub.isBlank());
        OAuth2TokenValidator<Jwt> expiry = new JwtClaimValidator<Object>("exp", exp -> exp != null); // a token that never expires is refused
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(CLOCK_SKEW),
                new JwtIssuerValidator(jwt.issuer()), audience, subject, expiry));
        return decoder;
    }
}
