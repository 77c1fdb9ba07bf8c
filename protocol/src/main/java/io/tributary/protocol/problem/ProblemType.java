package io.tributary.protocol.problem;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The stable error types of RFC 9457 problem documents. The {@code slug} is the problem's
 * {@code type} member; clients match on it, so a slug never changes meaning.
 */
public enum ProblemType {
    MALFORMED_REQUEST("malformed-request", 400, "Malformed request"),
    INVALID_NAME("invalid-name", 400, "Invalid name"),
    INVALID_ARGUMENT("invalid-argument", 400, "Invalid argument"),
    UNAUTHORIZED("unauthorized", 401, "Unauthorized"),
    FORBIDDEN("forbidden", 403, "Forbidden"),
    NOT_FOUND("not-found", 404, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
    /** The request's bytes stopped arriving (a slow or stalled client): it was cut off. */
    REQUEST_TIMEOUT("request-timeout", 408, "Request timeout"),
    CONFLICT("conflict", 409, "Conflict"),
    /** A consumer commit from a group generation older than one that already committed there. */
    FENCED("fenced", 409, "Fenced by a newer generation"),
    /** A producer batch whose sequence does not follow the last one stored for its producer. */
    OUT_OF_ORDER_SEQUENCE("out-of-order-sequence", 409, "Out-of-order producer sequence"),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "Payload too large"),
    URI_TOO_LONG("uri-too-long", 414, "URI too long"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    /** An Idempotency-Key used again, within the dedup window, for a different request. */
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 422, "Idempotency key reused"),
    /** A fetch asked for an offset past the end of the partition's log. */
    OFFSET_OUT_OF_RANGE("offset-out-of-range", 416, "Offset out of range"),
    /** The node asked is not the partition's leader (or the epoch is stale): refresh metadata and retry. */
    NOT_LEADER("not-leader", 421, "Not the partition leader"),
    RATE_LIMITED("rate-limited", 429, "Rate limited"),
    HEADERS_TOO_LARGE("headers-too-large", 431, "Request headers too large"),
    INTERNAL_ERROR("internal-error", 500, "Internal error"),
    /** A damaged batch in the middle of a partition's log: nothing at or past it is served. */
    CORRUPT_LOG("corrupt-log", 500, "Corrupt log"),
    UNAVAILABLE("unavailable", 503, "Unavailable"),
    /** An acks=all write while fewer replicas than minInSyncReplicas are in sync: nothing was stored. */
    NOT_ENOUGH_REPLICAS("not-enough-replicas", 503, "Not enough in-sync replicas"),
    /** Some messages of a publish were stored and some were not confirmed: the answer's results say which. */
    PARTIALLY_STORED("partially-stored", 503, "Partially stored");

    private static final Map<String, ProblemType> BY_SLUG =
            Arrays.stream(values()).collect(Collectors.toMap(ProblemType::slug, Function.identity()));

    private final String slug;
    private final int status;
    private final String title;

    ProblemType(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public String slug() {
        return slug;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The type for a slug, or the generic type for {@code status} when the slug is unknown. */
    public static ProblemType fromSlug(String slug, int status) {
        ProblemType type = slug == null ? null : BY_SLUG.get(slug);
        return type != null ? type : forStatus(status);
    }

    public static ProblemType forStatus(int status) {
        return switch (status) {
            case 400 -> MALFORMED_REQUEST;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 431 -> HEADERS_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 416 -> OFFSET_OUT_OF_RANGE;
            case 422 -> IDEMPOTENCY_KEY_REUSED;
            case 421 -> NOT_LEADER;
            case 429 -> RATE_LIMITED;
            case 502, 503, 504 -> UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_ERROR : INVALID_ARGUMENT;
        };
    }
}
