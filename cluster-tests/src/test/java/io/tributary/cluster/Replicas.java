package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.ClusterLayout;
import io.tributary.protocol.cluster.ClusterToken;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * What the replication failure tests ask of the cluster: who leads a partition, who is in
 * sync, waiting (on conditions, never fixed sleeps) for a leader change or convergence, the
 * processes' signals, and each replica's checksum below the high watermark, asked of the
 * storage node itself.
 */
final class Replicas {
    static final String V = "/api/v1/vhosts/default";
    private final TestCluster cluster;
    private final Api api;

    Replicas(TestCluster cluster) {
        this.cluster = cluster;
        this.api = cluster.api();
    }

    /** A topic on three replicas with minInSyncReplicas 2, once every replica is in sync. */
    void createTopic(String topic, int partitions) {
        Api.Response r = api.put(V + "/topics/" + topic,
                "{\"partitions\":" + partitions + ",\"replicationFactor\":3,\"minInSyncReplicas\":2}");
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        for (int p = 0; p < partitions; p++) {
            await(topic, p, Duration.ofSeconds(30), "all three replicas in sync", n -> n.get("isr").size() == 3);
        }
    }

    /**
     * The partition as {@code GET /api/v1/cluster} shows it (leader, epoch, replicas, isr, high
     * watermark, each replica's log end): from the metadata and one bounded call per node, so
     * it answers promptly even while a leader is paused.
     */
    JsonNode partition(String topic, int partition) {
        Api.Response r = api.get("/api/v1/cluster");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (JsonNode p : r.json().get("partitions")) {
            if (p.get("topic").asString().equals(topic) && p.get("partition").asInt() == partition) {
                return p;
            }
        }
        throw new AssertionError("no partition " + topic + "/" + partition + " in " + r.body());
    }

    /** The partition as {@code GET .../topics/{topic}} shows it (with the leader's log bounds). */
    JsonNode topicPartition(String topic, int partition) {
        Api.Response r = api.get(V + "/topics/" + topic);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("partitions").get(partition);
    }

    String leader(String topic, int partition) {
        JsonNode leader = partition(topic, partition).get("leader");
        return leader == null || leader.isNull() ? null : leader.asString();
    }

    List<String> isr(String topic, int partition) {
        List<String> isr = new ArrayList<>();
        partition(topic, partition).get("isr").forEach(n -> isr.add(n.asString()));
        return isr;
    }

    /** Waits until the partition matches {@code condition}; fails after {@code within}. */
    JsonNode await(String topic, int partition, Duration within, String what, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = partition(topic, partition);
                if (condition.test(last)) {
                    return last;
                }
            } catch (RuntimeException | AssertionError e) {
                // the gateway may be failing over itself; ask again
            }
            sleep(100);
        }
        throw new AssertionError(topic + "/" + partition + ": " + what + " did not happen within " + within + "; last: " + last);
    }

    /** A leader other than {@code old}, once the metadata names one. */
    String awaitNewLeader(String topic, int partition, String old, Duration within) {
        JsonNode p = await(topic, partition, within, "a leader other than " + old, n -> n.hasNonNull("leader")
                && !n.get("leader").asString().equals(old));
        return p.get("leader").asString();
    }

    /** Every replica in sync, all at the same log end, the high watermark there too. */
    JsonNode awaitConverged(String topic, int partition, Duration within) {
        return await(topic, partition, within, "convergence of all replicas", n -> {
            if (n.get("isr").size() != n.get("replicas").size() || !n.has("replicaLogEndOffsets") || !n.hasNonNull("highWatermark")) {
                return false;
            }
            JsonNode ends = n.get("replicaLogEndOffsets");
            if (ends.size() != n.get("replicas").size()) {
                return false;
            }
            long hw = n.get("highWatermark").asLong();
            for (JsonNode e : ends) {
                if (e.asLong() != hw) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Each replica's CRC-32C of its log below {@code upTo}, asked of its node (cluster token). */
    Map<String, JsonNode> checksums(String topic, int partition, long upTo) {
        Map<String, JsonNode> sums = new TreeMap<>();
        for (JsonNode r : partition(topic, partition).get("replicas")) {
            String node = r.asString();
            String url = "http://127.0.0.1:" + cluster.layout().service(node).port()
                    + "/internal/partitions/default/" + topic + "/" + partition + "/checksum?upTo=" + upTo;
            sums.put(node, internalGet(url));
        }
        return sums;
    }

    /** After convergence: every replica holds the same bytes below the high watermark. */
    long assertByteIdentical(String topic, int partition) {
        JsonNode p = awaitConverged(topic, partition, Duration.ofSeconds(90));
        long hw = p.get("highWatermark").asLong();
        Map<String, JsonNode> sums = checksums(topic, partition, hw);
        JsonNode first = sums.values().iterator().next();
        for (Map.Entry<String, JsonNode> s : sums.entrySet()) {
            assertThat(s.getValue().get("endOffset").asLong()).as("%s of %s/%d reaches the high watermark", s.getKey(), topic, partition)
                    .isEqualTo(hw);
            assertThat(s.getValue().get("crc32c").asLong()).as("%s of %s/%d is byte-identical (%s)", s.getKey(), topic, partition, sums)
                    .isEqualTo(first.get("crc32c").asLong());
            assertThat(s.getValue().get("bytes").asLong()).isEqualTo(first.get("bytes").asLong());
        }
        return hw;
    }

    JsonNode internalGet(String url) {
        try {
            HttpResponse<String> r = api.http().send(HttpRequest.newBuilder(URI.create(url))
                    .header(ClusterToken.HEADER, TestCluster.TOKEN).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
            return Api.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Leader requests {@code node} refused because it could not vouch for its node lease (its Actuator counter). */
    double fencedRequests(String node) {
        JsonNode m = internalGet("http://127.0.0.1:" + cluster.layout().service(node).port()
                + "/actuator/metrics/tributary.storage.fenced.requests");
        return m.get("measurements").get(0).get("value").asDouble();
    }

    /** A storage node's data directory for one partition. */
    Path partitionDir(String node, String topic, String topicId, int partition) {
        Path data = Path.of(cluster.layout().service(node).env().get(ClusterLayout.DATA_DIR));
        return data.resolve("default").resolve(topic + "~" + topicId).resolve(Integer.toString(partition));
    }

    String topicId(String topic) {
        return api.get(V + "/topics/" + topic).json().get("id").asString();
    }

    /** kill -9 and start again, waiting until ready. */
    void restart(String node) {
        cluster.launcher().start(node);
        cluster.launcher().awaitReady(node);
    }

    void signal(String name, String sig) {
        signal(cluster.launcher().process(name).pid(), sig);
    }

    static void signal(long pid, String sig) {
        try {
            Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
            assertThat(p.waitFor()).as("kill -%s %d", sig, pid).isZero();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
