package io.tributary.launcher;

/** A running Redis server that Tributary can use, and how to let go of it. */
public interface RedisEndpoint extends AutoCloseable {
    /** A Lettuce/Spring {@code redis://host:port} URL. */
    String url();

    /** Where it came from: "REDIS_URL", "testcontainers" or "embedded". */
    String origin();

    @Override
    void close();
}
