package io.tributary.bench.compare;

import io.tributary.bench.BenchClusterAccess;
import io.tributary.bench.HttpLoad;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Tributary as a new user runs it: every service its own process (three storage nodes,
 * routing, gateway, coordinator, Redis), publishing over HTTP/1.1 with a JSON array per POST
 * and the admin key. T1 topics have three replicas, {@code minInSyncReplicas} 2 and
 * {@code acks=all}; T2 topics one replica with {@code flush: sync} (fsync before the answer).
 */
final class TributaryPeer implements Peer {
    private final BenchClusterAccess cluster;

    TributaryPeer(Path data) throws Exception {
        this.cluster = BenchClusterAccess.start(data);
    }

    @Override
    public String name() {
        return "tributary";
    }

    @Override
    public String setup(Workload w) {
        return w.replicated() ? "3 storage nodes, replicationFactor 3, minInSyncReplicas 2, acks=all"
                : "3 storage nodes, replicationFactor 1, flush sync (fsync before ack)";
    }

    @Override
    public void prepare(Workload w, String destination) throws Exception {
        String topic = w.replicated()
                ? "{\"partitions\":" + w.partitions() + ",\"replicationFactor\":3,\"minInSyncReplicas\":2}"
                : "{\"partitions\":" + w.partitions() + ",\"replicationFactor\":1,\"flush\":\"sync\"}";
        HttpClient http = HttpLoad.client();
        HttpResponse<String> r = http.send(cluster.request("/topics/" + destination).header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(topic)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("topic " + destination + ": " + r.statusCode() + " " + r.body());
        }
    }

    @Override
    public Publisher publisher(Workload w, String destination) {
        HttpClient http = HttpLoad.client(); // one connection per publisher, as the workload says
        String payload = "x".repeat(w.messageBytes());
        HttpRequest.Builder post = cluster.request("/topics/" + destination + "/messages?acks=" + (w.replicated() ? "all" : "leader"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30));
        return first -> {
            HttpResponse<Void> r = http.send(post.POST(HttpRequest.BodyPublishers.ofString(body(w, payload, first))).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("publish: " + r.statusCode());
            }
        };
    }

    /** One object for a batch of one, else an array; the same bytes a curl user would send. */
    private static String body(Workload w, String payload, long first) {
        StringBuilder b = new StringBuilder(w.batch() * (w.messageBytes() + 40));
        if (w.batch() > 1) {
            b.append('[');
        }
        for (int i = 0; i < w.batch(); i++) {
            String key = w.key(first + i);
            b.append(i == 0 ? "" : ",").append('{');
            if (key != null) {
                b.append("\"key\":\"").append(key).append("\",");
            }
            b.append("\"payload\":\"").append(payload).append("\"}");
        }
        return w.batch() > 1 ? b.append(']').toString() : b.toString();
    }

    @Override
    public List<Long> serverPids() {
        return cluster.pids();
    }

    @Override
    public void close() {
        cluster.close();
    }
}
