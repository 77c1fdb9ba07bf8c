package io.tributary.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An API key as a client holds it: {@code trb_<id>_<secret>}. The id (64 random bits, hex)
 * names the key in Redis and in the API (revocation, audit lines); the secret (256 random
 * bits, base64url) is shown once and stored only as its SHA-256. An unsalted hash is enough
 * for a secret this random: it cannot be guessed from its hash, only found by trying 2^256
 * secrets (the reasoning behind GitHub's and Stripe's tokens too).
 */
public record ApiKey(String id, String secret) {
    public static final String PREFIX = "trb_";
    private static final Pattern FORM = Pattern.compile("trb_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();

    public static ApiKey generate() {
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        return new ApiKey(HexFormat.of().formatHex(id), java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** The key in a bearer credential, or null when the credential does not have a key's form. */
    public static ApiKey parse(String credential) {
        Matcher m = FORM.matcher(credential);
        return m.matches() ? new ApiKey(m.group(1), m.group(2)) : null;
    }

    public static boolean looksLikeKey(String credential) {
        return credential.startsWith(PREFIX);
    }

    /** Hex SHA-256 of the secret: what Redis keeps. */
    public String secretHash() {
        return HexFormat.of().formatHex(sha256(secret));
    }

    /** Whether {@code storedHash} is this key's, compared in constant time. */
    public boolean matches(String storedHash) {
        byte[] stored;
        try {
            stored = HexFormat.of().parseHex(storedHash);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(stored, sha256(secret));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The full key; only ever written to the client that created it (and the bootstrap file). */
    public String value() {
        return PREFIX + id + "_" + secret;
    }

    @Override
    public String toString() {
        return "ApiKey[" + id + "]"; // never the secret, not even in a log line
    }
}
