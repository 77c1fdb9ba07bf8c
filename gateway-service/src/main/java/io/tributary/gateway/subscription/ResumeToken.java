package io.tributary.gateway.subscription;

import io.tributary.protocol.problem.TributaryException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The SSE {@code id:} of every event: an opaque token for the whole stream that holds the next
 * offset of every partition the stream reads, so a client reconnecting with
 * {@code Last-Event-ID} continues each partition exactly after the last event it saw, with
 * no gap and no repeat. Format: {@code v1.} + base64url("p=offset,p=offset,...").
 */
public final class ResumeToken {
    private static final String PREFIX = "v1.";

    private ResumeToken() {
    }

    public static String encode(Map<Integer, Long> positions) {
        StringJoiner j = new StringJoiner(",");
        new TreeMap<>(positions).forEach((p, o) -> j.add(p + "=" + o));
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(j.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** The positions in a token; {@code malformed-request} for anything this gateway did not issue. */
    public static Map<Integer, Long> decode(String token) {
        if (token == null || !token.startsWith(PREFIX)) {
            throw invalid();
        }
        String body;
        try {
            body = new String(Base64.getUrlDecoder().decode(token.substring(PREFIX.length())), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        Map<Integer, Long> positions = new TreeMap<>();
        if (body.isEmpty()) {
            return positions;
        }
        for (String part : body.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw invalid();
            }
            try {
                int partition = Integer.parseInt(part.substring(0, eq));
                long offset = Long.parseLong(part.substring(eq + 1));
                if (partition < 0 || offset < 0 || positions.put(partition, offset) != null) {
                    throw invalid();
                }
            } catch (NumberFormatException e) {
                throw invalid();
            }
        }
        return positions;
    }

    private static TributaryException invalid() {
        return TributaryException.malformed("Last-Event-ID is not a resume token issued by Tributary");
    }
}
