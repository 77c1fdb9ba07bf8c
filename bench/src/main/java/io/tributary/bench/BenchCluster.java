package io.tributary.bench;

import io.tributary.launcher.ClusterLauncher;
import io.tributary.launcher.ClusterLayout;
import io.tributary.launcher.EmbeddedRedis;
import io.tributary.launcher.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster for the end-to-end benchmarks: an embedded Redis and every service as its own
 * process (as {@code bin/tributary up} runs them), on free ports, with default JVM options.
 */
final class BenchCluster implements AutoCloseable {
    final EmbeddedRedis redis;
    final ClusterLayout layout;
    final ClusterLauncher launcher;

    private BenchCluster(EmbeddedRedis redis, ClusterLayout layout, ClusterLauncher launcher) {
        this.redis = redis;
        this.layout = layout;
        this.launcher = launcher;
    }

    /** The API key of the user admin, made for this run; every request the benchmarks send carries it. */
    static final String ADMIN_KEY = io.tributary.launcher.AdminKey.generate();

    static String bearer() {
        return "Bearer " + ADMIN_KEY;
    }

    /** A request to the gateway with the admin key. */
    static java.net.http.HttpRequest.Builder request(String url) {
        return java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Authorization", bearer());
    }

    static BenchCluster start(Path data, int coordinators) throws Exception {
        Path home = Files.createDirectories(data.resolve("cluster-" + System.currentTimeMillis()));
        Path repo = Path.of("").toAbsolutePath();
        while (!Files.exists(repo.resolve("mvnw"))) {
            repo = repo.getParent();
        }
        EmbeddedRedis redis = EmbeddedRedis.start(home.resolve("bin"), home.resolve("redis"), Ports.free(), false, null);
        List<Integer> coordinatorPorts = new ArrayList<>();
        for (int i = 0; i < coordinators; i++) {
            coordinatorPorts.add(Ports.free());
        }
        ClusterLayout layout = ClusterLayout.of(new ClusterLayout.Settings("127.0.0.1", Ports.free(), coordinatorPorts, Ports.free(),
                List.of(Ports.free(), Ports.free(), Ports.free()), redis.url(), java.util.UUID.randomUUID().toString(), "bench:", home.resolve("data")))
                .withSecurity(ADMIN_KEY, name -> null);
        ClusterLauncher launcher = new ClusterLauncher(repo, home, layout, ClusterLauncher.defaultJvmOptions());
        launcher.startAll();
        return new BenchCluster(redis, layout, launcher);
    }

    /** The gateway's base URL for vhost default. */
    String vhostUrl() {
        return layout.gatewayUrl() + "/api/v1/vhosts/default";
    }

    @Override
    public void close() {
        launcher.close();
        redis.close();
    }
}
