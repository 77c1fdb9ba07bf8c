package io.tributary.gateway.limit;

/**
 * A vhost's publish rate limits (null: none): requests per second and message bytes per
 * second, each with one second's worth of burst. Shared by every gateway (Redis).
 */
public record VhostLimits(Long publishRequestsPerSecond, Long publishBytesPerSecond) {
    public static final VhostLimits NONE = new VhostLimits(null, null);

    public boolean any() {
        return publishRequestsPerSecond != null || publishBytesPerSecond != null;
    }
}
