package io.tributary.launcher;

/**
 * Redis in a Testcontainers container, when Testcontainers is on the classpath and a Docker
 * engine answers. Referenced only through {@link #startIfDockerAvailable()}, which returns
 * null otherwise, so the launcher runs without Testcontainers.
 */
final class ContainerRedis implements RedisEndpoint {
    private final AutoCloseable container;
    private final String url;

    private ContainerRedis(AutoCloseable container, String url) {
        this.container = container;
        this.url = url;
    }

    static RedisEndpoint startIfDockerAvailable() {
        if (!dockerMayBeThere()) {
            return null; // spare Testcontainers' long "no Docker environment" error in every log
        }
        try {
            Class.forName("org.testcontainers.DockerClientFactory");
        } catch (ClassNotFoundException | LinkageError absent) {
            return null;
        }
        return Docker.start();
    }

    private static boolean dockerMayBeThere() {
        String home = System.getProperty("user.home");
        return System.getenv("DOCKER_HOST") != null
                || java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                || java.nio.file.Files.exists(java.nio.file.Path.of(home, ".docker", "run", "docker.sock"))
                || java.nio.file.Files.exists(java.nio.file.Path.of(home, ".testcontainers.properties"));
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public String origin() {
        return "testcontainers";
    }

    @Override
    public void close() {
        try {
            container.close();
        } catch (Exception ignored) {
            // the container is reaped by Testcontainers anyway
        }
    }

    /** Separate class so Testcontainers types load only when the library is present. */
    private static final class Docker {
        static RedisEndpoint start() {
            boolean available;
            try {
                available = org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                available = false;
            }
            if (!available) {
                return null;
            }
            @SuppressWarnings("resource")
            org.testcontainers.containers.GenericContainer<?> redis =
                    new org.testcontainers.containers.GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
            redis.start();
            return new ContainerRedis(redis, "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379));
        }
    }
}
