package io.tributary.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWTs checked against a JWKS file (RS256 and ES256 keys), the path the cluster tests (HS256) do not take. */
class JwtVerifierTest {
    static RSAKey rsa;
    static ECKey ec;
    static JwtVerifier verifier;

    @BeforeAll
    static void keys(@TempDir Path dir) throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
        verifier = new JwtVerifier(new SecurityProperties(null, new SecurityProperties.Jwt(null, jwks.toString(), "https://idp.test",
                "tributary"), List.of(), Duration.ofSeconds(1)));
    }

    static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject("alice").issuer("https://idp.test").audience("tributary")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)));
    }

    static String rs256(JWTClaimsSet c) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("r1").type(JOSEObjectType.JWT).build(), c);
        jwt.sign(new RSASSASigner(rsa));
        return jwt.serialize();
    }

    @Test
    void rs256AndEs256TokensFromTheFileAreAccepted() throws Exception {
        assertThat(verifier.verify(rs256(claims().build())).block().getSubject()).isEqualTo("alice");
        SignedJWT es = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("e1").build(), claims().build());
        es.sign(new ECDSASigner(ec));
        assertThat(verifier.verify(es.serialize()).block().getSubject()).isEqualTo("alice");
    }

    @Test
    void otherAlgorithmsKeysAndClaimsAreRefused() throws Exception {
        Instant now = Instant.now();
        // HS256 "signed" with the public key's bytes: the classic algorithm-confusion attack.
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
        hs.sign(new MACSigner(rsa.toPublicJWK().toRSAPublicKey().getEncoded()));
        List<String> refused = List.of(
                hs.serialize(),
                new PlainJWT(claims().build()).serialize(),
                rs256(claims().issuer("https://evil.test").build()),
                rs256(claims().audience("someone-else").build()),
                rs256(claims().expirationTime(Date.from(now.minusSeconds(3600))).build()),
                rs256(claims().notBeforeTime(Date.from(now.plusSeconds(3600))).build()),
                rs256(claims().expirationTime(null).build()),
                rs256(claims().subject(null).build()));
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("r1").generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("r1").build(), claims().build());
        forged.sign(new RSASSASigner(stranger));
        for (String token : List.of(refused, List.of(forged.serialize())).stream().flatMap(List::stream).toList()) {
            assertThatThrownBy(() -> verifier.verify(token).block()).as(token).isInstanceOf(
                    org.springframework.security.oauth2.jwt.JwtException.class);
        }
    }

    @Test
    void aJwksFileThatCannotBeReadStopsTheGatewayAtStart(@TempDir Path dir) {
        assertThatThrownBy(() -> new JwtVerifier(new SecurityProperties(null, new SecurityProperties.Jwt(null,
                dir.resolve("missing.json").toString(), "https://idp.test", "tributary"), List.of(), Duration.ofSeconds(1))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot read the JWKS file");
    }
}
