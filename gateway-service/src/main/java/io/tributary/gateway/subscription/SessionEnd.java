package io.tributary.gateway.subscription;

import io.tributary.protocol.problem.ProblemWebExceptionHandler;
import io.tributary.protocol.problem.TributaryException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.reactive.socket.CloseStatus;

/**
 * How the server ends a WebSocket consumer session: the close code and reason (RFC 6455
 * section 7.4) for what ended it. Every server-side end sends one of these, never a bare
 * connection drop:
 * <ul>
 *   <li>1001 going away: the gateway shuts down;</li>
 *   <li>1008 policy violation: the request can never succeed (the subscription is gone, a bad name);</li>
 *   <li>1013 try again later: the cluster cannot serve it now (unavailable, not enough replicas);</li>
 *   <li>1011 internal error: anything else, a bug.</li>
 * </ul>
 */
final class SessionEnd {
    /** A close frame's reason is at most 123 bytes of UTF-8. */
    private static final int MAX_REASON_BYTES = 123;

    private SessionEnd() {
    }

    static CloseStatus goingAway() {
        return CloseStatus.GOING_AWAY.withReason("the gateway is shutting down");
    }

    /** The close status for a session that ended because of {@code error}. */
    static CloseStatus forError(Throwable error) {
        TributaryException p = ProblemWebExceptionHandler.toProblem(error);
        CloseStatus code = switch (p.type()) {
            case UNAVAILABLE, NOT_LEADER, RATE_LIMITED -> CloseStatus.SERVICE_OVERLOAD; // 1013, "try again later"
            case INTERNAL_ERROR, CORRUPT_LOG -> CloseStatus.SERVER_ERROR;
            default -> p.type().status() < 500 ? CloseStatus.POLICY_VIOLATION : CloseStatus.SERVER_ERROR;
        };
        return code.withReason(reason(p.type().slug() + ": " + p.detail()));
    }

    /** Cuts {@code text} to what fits in a close frame, on a character boundary. */
    static String reason(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        int used = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + n > MAX_REASON_BYTES) {
                break;
            }
            out.appendCodePoint(cp);
            used += n;
            i += Character.charCount(cp);
        }
        return out.toString();
    }
}
