package io.tributary.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hand-made JWTs (RFC 7519) for the security tests: built byte by byte rather than with a
 * library, so that the broken ones (alg none, a wrong key, a wrong audience) are exactly as
 * broken as an attacker would make them.
 */
final class Jwts {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Jwts() {
    }

    /** A token the test cluster accepts for {@code user}, expiring in {@code seconds}. */
    static String valid(String user, long seconds) {
        return hs256(TestCluster.JWT_SECRET, claims(user, TestCluster.JWT_ISSUER, TestCluster.JWT_AUDIENCE, seconds));
    }

    static String expired(String user) {
        return hs256(TestCluster.JWT_SECRET, claims(user, TestCluster.JWT_ISSUER, TestCluster.JWT_AUDIENCE, -3600));
    }

    static String wrongAudience(String user) {
        return hs256(TestCluster.JWT_SECRET, claims(user, TestCluster.JWT_ISSUER, "someone-else", 600));
    }

    static String wrongIssuer(String user) {
        return hs256(TestCluster.JWT_SECRET, claims(user, "https://evil.example", TestCluster.JWT_AUDIENCE, 600));
    }

    static String badSignature(String user) {
        return hs256("not-the-secret-of-this-cluster-at-all-0123456789", claims(user, TestCluster.JWT_ISSUER, TestCluster.JWT_AUDIENCE, 600));
    }

    /** {"alg":"none"}: unsigned, with an empty signature part. */
    static String algNone(String user) {
        return part("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + part(claims(user, TestCluster.JWT_ISSUER, TestCluster.JWT_AUDIENCE, 600)) + ".";
    }

    private static String claims(String user, String issuer, String audience, long expiresInSeconds) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("sub", user);
        c.put("iss", issuer);
        c.put("aud", audience);
        c.put("iat", now);
        c.put("exp", now + expiresInSeconds);
        return Api.JSON.writeValueAsString(c);
    }

    private static String hs256(String secret, String claims) {
        String signed = part("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + part(claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return signed + "." + B64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String part(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
