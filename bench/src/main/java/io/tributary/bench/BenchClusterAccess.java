package io.tributary.bench;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@link BenchCluster} for the {@code compare} package: start, requests to vhost default, the processes' pids. */
public final class BenchClusterAccess implements AutoCloseable {
    private final BenchCluster cluster;

    private BenchClusterAccess(BenchCluster cluster) {
        this.cluster = cluster;
    }

    public static BenchClusterAccess start(Path data) throws Exception {
        return new BenchClusterAccess(BenchCluster.start(data, 1));
    }

    /** A request to {@code /api/v1/vhosts/default} + {@code path} with the admin key. */
    public HttpRequest.Builder request(String path) {
        return BenchCluster.request(cluster.vhostUrl() + path);
    }

    /** Redis and every service process. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(cluster.redis.pid());
        cluster.layout.services().forEach(s -> pids.add(cluster.launcher.process(s.name()).pid()));
        return pids;
    }

    @Override
    public void close() {
        cluster.close();
    }
}
