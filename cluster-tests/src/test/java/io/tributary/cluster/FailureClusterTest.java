package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.ClusterLayout;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Failures of whole processes, through the public API: a storage node paused (SIGSTOP) or
 * killed answers publishes to its partitions of an unreplicated topic (replicationFactor 1:
 * no other node can take over) with a prompt 503 and Retry-After rather than a hang, soon an
 * immediate one (the partition is offline), and everything works again once it is back;
 * routing restarted keeps every exchange and binding (they live in Redis). Replicated
 * topics, where another replica takes over, are ReplicationFailoverClusterTest's.
 */
class FailureClusterTest {
    static TestCluster cluster;
    static Api api;
    static final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(12);
    static final String V = "/api/v1/vhosts/default";

    @BeforeAll
    static void start() {
        cluster = TestCluster.get();
        api = cluster.api();
    }

    /** The partitions of "fail" that node {@code node} leads (at least one). */
    static List<Integer> partitionsLedBy(String node) {
        List<Integer> led = new ArrayList<>();
        for (JsonNode p : api.get(V + "/topics/fail").json().get("partitions")) {
            if (p.get("leader").asString().equals(node)) {
                led.add(p.get("partition").asInt());
            }
        }
        assertThat(led).as(node + " leads a partition of 'fail'").isNotEmpty();
        return led;
    }

    static int partitionLedBy(String node) {
        return partitionsLedBy(node).get(0);
    }

    static Api.Response publishTo(int partition) {
        return api.postJson(V + "/topics/fail/messages", "{\"partition\":" + partition + ",\"payload\":\"x\"}");
    }

    static void signal(String name, String sig) throws IOException, InterruptedException {
        long pid = cluster.launcher().process(name).pid();
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }

    static void awaitPublishWorks(int partition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Api.Response last = null;
        while (System.nanoTime() < deadline) {
            last = publishTo(partition);
            if (last.status() == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("publishing to partition " + partition + " never recovered: " + last);
    }

    /**
     * How long a publish to a paused leader may take before its 503: routing follows the
     * partition's leader for the failover window (10 s; the leader may be replaced meanwhile),
     * its last attempt limited to 2 s (the test cluster's append timeout), and a request can
     * wait behind the partition's batch in flight, which fails the same way: 2 x (10 s + 2 s
     * + 1 s of backoff). A hang would be unbounded.
     */
    static final long PROMPT_MS = 26_000;

    /**
     * A paused leader costs its partitions' publishers at most {@link #PROMPT_MS}, and soon
     * nothing: once its breaker opens, or its node lease lapses and the coordinator marks it
     * not live (whichever comes first), publishes to it fail at once instead of waiting.
     */
    @Test
    void aPausedStorageNodeGetsPrompt503sThenImmediateOnesAndRecovers() throws Exception {
        assertThat(api.put(V + "/topics/fail", "{\"partitions\":6,\"replicationFactor\":1}").status()).isIn(200, 201);
        String node = cluster.layout().storageNodes().get(0).name();
        List<Integer> paused = partitionsLedBy(node);
        int other = partitionLedBy(cluster.layout().storageNodes().get(1).name());
        for (int p : paused) {
            assertThat(publishTo(p).status()).isEqualTo(200);
        }
        Api routing = new Api("http://127.0.0.1:" + cluster.layout().service(ClusterLayout.ROUTING).port(), null);
        signal(node, "STOP");
        long slowest = 0;
        long fastest = Long.MAX_VALUE;
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (fastest > 1_000 && System.nanoTime() < deadline) {
                List<CompletableFuture<Long>> calls = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    for (int p : paused) {
                        calls.add(CompletableFuture.supplyAsync(() -> {
                            long t0 = System.nanoTime();
                            Api.Response r = publishTo(p);
                            assertThat(r.status()).as(r.body()).isEqualTo(503);
                            assertThat(r.problemType()).isEqualTo("unavailable");
                            assertThat(r.headers()).containsKey("retry-after");
                            return (System.nanoTime() - t0) / 1_000_000;
                        }, pool));
                    }
                }
                for (CompletableFuture<Long> c : calls) {
                    long ms = c.get();
                    slowest = Math.max(slowest, ms);
                    fastest = Math.min(fastest, ms);
                }
            }
            JsonNode breaker = routing.get("/actuator/circuitbreakers").json().get("circuitBreakers").get(node);
            System.out.printf("paused leader: slowest 503 after %d ms, then 503s after %d ms (breaker %s)%n", slowest, fastest,
                    breaker == null ? "not yet created" : breaker.get("state").asString());
            assertThat(slowest).as("every publish answered promptly").isLessThan(PROMPT_MS);
            assertThat(fastest).as("the cluster stops waiting on the paused node").isLessThan(1_000);
            // a partition led by another node is not affected
            assertThat(publishTo(other).status()).isEqualTo(200);
        } finally {
            signal(node, "CONT");
        }
        for (int p : paused) {
            awaitPublishWorks(p, Duration.ofSeconds(60));
        }
    }

    @Test
    void aKilledStorageNodeAnswers503UntilItIsBack() throws Exception {
        assertThat(api.put(V + "/topics/fail", "{\"partitions\":6,\"replicationFactor\":1}").status()).isIn(200, 201);
        String node = cluster.layout().storageNodes().get(1).name();
        int partition = partitionLedBy(node);
        cluster.launcher().kill(node);
        try {
            Api.Response r = publishTo(partition);
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(r.problemType()).isEqualTo("unavailable");
        } finally {
            cluster.launcher().start(node);
            cluster.launcher().awaitReady(node);
        }
        awaitPublishWorks(partition, Duration.ofSeconds(60));
    }

    @Test
    void exchangesAndBindingsSurviveARoutingRestart() throws Exception {
        api.topicWithSubscription("survive", 1, null);
        assertThat(api.put(V + "/exchanges/x-survive", "{\"type\":\"direct\"}").status()).isIn(200, 201);
        assertThat(api.postJson(V + "/exchanges/x-survive/bindings", "{\"destination\":\"survive\",\"routingKey\":\"k\"}").status())
                .isIn(200, 201);
        cluster.killAndRestart(ClusterLayout.ROUTING);
        long deadline = System.currentTimeMillis() + 30_000;
        Api.Response r = null;
        while (System.currentTimeMillis() < deadline) {
            r = api.postJson(V + "/exchanges/x-survive/messages", "{\"routingKey\":\"k\",\"payload\":1}");
            if (r.status() == 200) {
                break;
            }
            Thread.sleep(250);
        }
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("results").get(0).get("routed").get(0).get("topic").asString()).isEqualTo("survive");
    }
}
