package io.tributary.protocol.problem;

import java.time.Duration;
import java.util.Map;

/**
 * An error with a stable problem type: rendered as {@code application/problem+json} at the
 * HTTP edge of every service and rebuilt from that document by the internal clients, so a
 * problem raised by storage reaches the public client unchanged.
 */
public class TributaryException extends RuntimeException {
    private final ProblemType type;
    private final Duration retryAfter;
    private final Map<String, Object> extensions;

    public TributaryException(ProblemType type, String detail) {
        this(type, detail, null, null);
    }

    public TributaryException(ProblemType type, String detail, Duration retryAfter, Throwable cause) {
        this(type, detail, retryAfter, cause, Map.of());
    }

    /** With extension members of the problem document (RFC 9457 section 3.2), such as a partial publish's {@code results}. */
    public TributaryException(ProblemType type, String detail, Duration retryAfter, Throwable cause, Map<String, Object> extensions) {
        super(detail, cause, false, cause != null);
        this.type = type;
        this.retryAfter = retryAfter;
        this.extensions = Map.copyOf(extensions);
    }

    /** Extension members rendered after the standard ones; empty for most problems. */
    public Map<String, Object> extensions() {
        return extensions;
    }

    public ProblemType type() {
        return type;
    }

    public String detail() {
        return getMessage();
    }

    /** How long a client should wait before retrying, or null when retrying does not help. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public static TributaryException notFound(String detail) {
        return new TributaryException(ProblemType.NOT_FOUND, detail);
    }

    public static TributaryException invalidArgument(String detail) {
        return new TributaryException(ProblemType.INVALID_ARGUMENT, detail);
    }

    public static TributaryException malformed(String detail) {
        return new TributaryException(ProblemType.MALFORMED_REQUEST, detail);
    }

    public static TributaryException conflict(String detail) {
        return new TributaryException(ProblemType.CONFLICT, detail);
    }

    public static TributaryException payloadTooLarge(String detail) {
        return new TributaryException(ProblemType.PAYLOAD_TOO_LARGE, detail);
    }

    public static TributaryException notLeader(String detail) {
        return new TributaryException(ProblemType.NOT_LEADER, detail, Duration.ofMillis(200), null);
    }

    public static TributaryException unavailable(String detail) {
        return new TributaryException(ProblemType.UNAVAILABLE, detail, Duration.ofSeconds(1), null);
    }

    public static TributaryException unavailable(String detail, Throwable cause) {
        return new TributaryException(ProblemType.UNAVAILABLE, detail, Duration.ofSeconds(1), cause);
    }
}
