package io.tributary.launcher;

/** A Redis someone else runs ({@code REDIS_URL}); closing it does nothing. */
public record ExternalRedis(String url) implements RedisEndpoint {
    @Override
    public String origin() {
        return "REDIS_URL";
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
