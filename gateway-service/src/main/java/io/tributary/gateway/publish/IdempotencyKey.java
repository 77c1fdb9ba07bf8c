package io.tributary.gateway.publish;

import io.tributary.protocol.problem.TributaryException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A publish request's {@code Idempotency-Key} header (IETF httpapi draft): a client-chosen
 * string, 1 to 255 printable ASCII characters, optionally in the draft's quoted form
 * ({@code "8e03978e-..."}). Two things derive from it:
 * <ul>
 *   <li>the id of every message of the request that has no id of its own:
 *       {@code idem:<hash>:<index>}, where the hash names the vhost and key. Storage's
 *       message-id window then makes any retry of the request store nothing it stored
 *       before, and answer with the original offsets (a keyless message with an id is
 *       partitioned by its id, so a retry reaches the same partition);</li>
 *   <li>nothing else: the request fingerprint that detects a key reused for another
 *       request is {@link IdempotencyRecords}' job.</li>
 * </ul>
 */
public record IdempotencyKey(String vhost, String value) {
    public static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;

    /** The key of a request, or null without the header; 400 for a malformed one. */
    public static IdempotencyKey parse(String vhost, String header) {
        if (header == null) {
            return null;
        }
        String v = header.strip();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        if (v.isEmpty() || v.length() > MAX_LENGTH) {
            throw TributaryException.invalidArgument(HEADER + " must be 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw TributaryException.invalidArgument(HEADER + " must be printable ASCII");
            }
        }
        return new IdempotencyKey(vhost, v);
    }

    /** The prefix of the ids derived for this request's messages: {@code idem:<22 chars>:}. */
    public String messageIdPrefix() {
        byte[] h = sha256((vhost + "\n" + value).getBytes(StandardCharsets.UTF_8));
        return "idem:" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 16)) + ":";
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
                d.update((byte) 0);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
