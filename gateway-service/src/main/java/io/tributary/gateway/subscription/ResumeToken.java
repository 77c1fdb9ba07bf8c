package io.tributary.gateway.subscription;

import io.tributary.gateway.request.StrictNumbers;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.problem.TributaryException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The SSE {@code id:} of every event: an opaque token for the whole stream that holds the next
 * offset of every partition the stream reads, so a client reconnecting with
 * {@code Last-Event-ID} continues each partition exactly after the last event it saw, with
 * no gap and no repeat. Bound to the subscription that issued it (the same name on another
 * topic, or the subscription deleted and declared again, is another subscription).
 *
 * <p>Format: {@code v2.} + base64url( 8 bytes: the first bytes of SHA-256("vhost\ntopic\nname\ncreatedAt")
 * , then ASCII "p=offset,p=offset,..." ). Numbers are plain decimal. Decoding checks the form
 * and the binding; {@link SseController} checks the positions against the partitions.
 */
public final class ResumeToken {
    private static final String PREFIX = "v2.";
    private static final int TAG = 8;

    private ResumeToken() {
    }

    public static String encode(SubscriptionInfo sub, Map<Integer, Long> positions) {
        StringJoiner j = new StringJoiner(",");
        new TreeMap<>(positions).forEach((p, o) -> j.add(p + "=" + o));
        byte[] body = j.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(TAG + body.length).put(tag(sub)).put(body);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** The positions in a token of {@code sub}; {@code malformed-request} for anything else. */
    public static Map<Integer, Long> decode(SubscriptionInfo sub, String token) {
        if (token == null || !token.startsWith(PREFIX)) {
            throw invalid("is not a resume token issued by Tributary");
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw invalid("is not a resume token issued by Tributary");
        }
        if (raw.length < TAG) {
            throw invalid("is not a resume token issued by Tributary");
        }
        if (!Arrays.equals(Arrays.copyOf(raw, TAG), tag(sub))) {
            throw invalid("was issued for another subscription (or for an earlier one of this name)");
        }
        String body = new String(raw, TAG, raw.length - TAG, StandardCharsets.US_ASCII);
        Map<Integer, Long> positions = new TreeMap<>();
        if (body.isEmpty()) {
            return positions;
        }
        for (String part : body.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw invalid("is damaged");
            }
            try {
                int partition = (int) StrictNumbers.parse(part.substring(0, eq), Integer.MAX_VALUE);
                long offset = StrictNumbers.parse(part.substring(eq + 1), Long.MAX_VALUE);
                if (positions.put(partition, offset) != null) {
                    throw invalid("is damaged");
                }
            } catch (IllegalArgumentException e) {
                throw invalid("is damaged");
            }
        }
        return positions;
    }

    private static byte[] tag(SubscriptionInfo sub) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((sub.vhost() + "\n" + sub.topic() + "\n" + sub.name() + "\n"
                    + sub.createdAt()).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(d, TAG);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TributaryException invalid(String why) {
        return TributaryException.malformed("Last-Event-ID " + why);
    }
}
