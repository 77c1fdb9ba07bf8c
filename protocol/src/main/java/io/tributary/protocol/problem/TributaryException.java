package io.tributary.protocol.problem;

import java.time.Duration;

/**
 * An error with a stable problem type: rendered as {@code application/problem+json} at the
 * HTTP edge of every service and rebuilt from that document by the internal clients, so a
 * problem raised by storage reaches the public client unchanged.
 */
public class TributaryException extends RuntimeException {
    private final ProblemType type;
    private final Duration retryAfter;

    public TributaryException(ProblemType type, String detail) {
        this(type, detail, null, null);
    }

    public TributaryException(ProblemType type, String detail, Duration retryAfter, Throwable cause) {
        super(detail, cause, false, cause != null);
        this.type = type;
        this.retryAfter = retryAfter;
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
