package io.tributary.launcher;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Redis that tests use, chosen as the design asks: {@code REDIS_URL} when set,
 * Testcontainers when a Docker engine answers, otherwise the embedded redis-server. Never a
 * mock. One server per test JVM, shared by its tests (each uses its own key prefix) and
 * stopped when the JVM exits.
 */
public final class TestRedis {
    private static RedisEndpoint shared;

    private TestRedis() {
    }

    public static synchronized RedisEndpoint shared() {
        if (shared == null) {
            shared = open();
            RedisEndpoint s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "test-redis-stop"));
        }
        return shared;
    }

    private static RedisEndpoint open() {
        String url = System.getenv("REDIS_URL");
        if (url != null && !url.isBlank()) {
            return new ExternalRedis(url);
        }
        RedisEndpoint container = ContainerRedis.startIfDockerAvailable();
        if (container != null) {
            return container;
        }
        try {
            Path dir = Files.createTempDirectory("tributary-test-redis");
            Path bin = Path.of(System.getProperty("java.io.tmpdir"), "tributary-redis-bin");
            return EmbeddedRedis.start(bin, dir, Ports.free(), false, null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A key prefix no other test run uses. */
    public static String uniquePrefix() {
        return "t" + Long.toHexString(System.nanoTime()) + Integer.toHexString((int) (Math.random() * 0xffff)) + ":";
    }
}
