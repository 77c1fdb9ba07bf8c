package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Scale-out while publishing and consuming, on the shared cluster (three nodes): bad requests
 * change nothing; a fourth node is added and a rebalance gives it its share of replicas and
 * leaders; a move survives the controller being killed, and rolls back when its target node
 * dies; the fourth node is drained and stopped (so the cluster ends as it began). Throughout,
 * acks=all producers (ids, retried as they were) and a WebSocket group consumer run; after each
 * step nothing acknowledged is missing or duplicated, keys stay in order, replicas are
 * byte-identical, and the consumer has every message in order per partition. The publish error
 * count and the longest stall are printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutClusterTest {
    static final String V = Replicas.V;
    static final String TOPIC = "scale";
    static final int PARTITIONS = 6;
    static TestCluster cluster;
    static Api api;
    static Replicas replicas;
    static String added;
    static KeyedLoad load;
    static WsClient consumer;
    /** Per partition, the offsets the consumer got, in arrival order. */
    static final Map<Integer, List<Long>> consumed = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        cluster = TestCluster.get();
        api = cluster.api();
        replicas = new Replicas(cluster);
        replicas.createTopic(TOPIC, PARTITIONS);
        assertThat(api.put(V + "/topics/" + TOPIC + "/subscriptions/watcher", "{\"type\":\"group\",\"startAt\":\"earliest\"}").status())
                .isIn(200, 201);
        consumer = WsClient.open(api.http(), api.base(), "/ws/v1/vhosts/default/topics/" + TOPIC + "/subscriptions/watcher?credit=100000",
                (client, frame) -> {
                    JsonNode m = Api.JSON.readTree(frame);
                    if (m.has("offset")) {
                        consumed.computeIfAbsent(m.get("partition").asInt(), p -> java.util.Collections.synchronizedList(new ArrayList<>()))
                                .add(m.get("offset").asLong());
                        client.send("{\"ack\":[\"" + m.get("id").asString() + "\"]}");
                    }
                });
        load = new KeyedLoad(api, TOPIC, 2, 10, Duration.ofMillis(50)).start();
        load.awaitAcked(300);
    }

    @AfterAll
    static void stop() {
        if (load != null) {
            load.close();
        }
        if (consumer != null) {
            consumer.close();
        }
        // Whatever happened, the cluster goes back to three nodes for the tests after this one.
        if (added != null && cluster.launcher().process(added) != null && cluster.launcher().process(added).isAlive()) {
            cluster.launcher().stop(added);
        }
    }

    @Test
    @Order(1)
    void badMovesAreRefusedAndChangeNothing() {
        JsonNode before = placement();
        String p0 = "{\"vhost\":\"default\",\"topic\":\"" + TOPIC + "\",\"partition\":0,\"replicas\":";
        assertProblem(move(p0 + "[\"storage-1\",\"storage-2\",\"storage-9\"]}"), 400, "storage-9 is not a live storage node");
        assertProblem(move(p0 + "[\"storage-1\",\"storage-1\",\"storage-2\"]}"), 400, "names a node twice");
        assertProblem(move(p0 + "[\"storage-1\"]}"), 400, "at least minInSyncReplicas (2)");
        assertProblem(move(p0 + "[\"storage-1\",\"storage-2\"]}"), 400, "keeps its replication factor (3)");
        assertProblem(move(p0 + "[\"storage-1\",\"storage-2\",7]}"), 400, "node ids (strings)");
        assertProblem(api.postJson("/api/v1/cluster/reassignments", "{\"partitions\":[" + p0 + "[\"storage-1\"],\"extra\":1}]}"), 400,
                "unknown field 'extra'");
        assertProblem(api.postJson("/api/v1/cluster/reassignments", "{\"partitions\":[]}"), 400, "non-empty array");
        assertProblem(move("{\"vhost\":\"default\",\"topic\":\"nope\",\"partition\":0,\"replicas\":[\"storage-1\",\"storage-2\",\"storage-3\"]}"),
                404, "does not exist");
        assertProblem(api.postJson("/api/v1/cluster/reassignments", "{\"partitions\":[" + p0 + "[\"storage-1\",\"storage-2\",\"storage-3\"]},"
                + p0 + "[\"storage-2\",\"storage-1\",\"storage-3\"]}]}"), 400, "appears twice");
        assertProblem(api.postJson("/api/v1/cluster/nodes/storage-1/drain", ""), 409, "too few");
        assertProblem(api.postJson("/api/v1/cluster/nodes/storage-77/drain", ""), 404, "storage-77");
        assertProblem(api.postJson("/api/v1/cluster/rebalance?dryRun=perhaps", ""), 400, "dryRun must be true or false");
        assertThat(placement()).as("nothing changed").isEqualTo(before);
        assertThat(api.get("/api/v1/cluster/reassignments").json().get("inProgress")).isEmpty();
    }

    @Test
    @Order(2)
    void aFourthNodeTakesItsShareThroughARebalanceUnderLoad() {
        added = cluster.launcher().addStorageNode(Ports.free());
        cluster.launcher().start(added);
        cluster.launcher().awaitReady(added);
        awaitCluster("the new node is live", c -> nodes(c).containsKey(added));

        Api.Response dry = api.postJson("/api/v1/cluster/rebalance?dryRun=true&vhost=default&topic=" + TOPIC, "");
        assertThat(dry.status()).as(dry.body()).isEqualTo(200);
        JsonNode plan = dry.json();
        assertThat(plan.get("replicasAfter").get(added).asInt()).as(dry.body()).isBetween(4, 5);
        assertThat(plan.get("leadersAfter").get(added).asInt()).as(dry.body()).isBetween(1, 2);
        assertThat(plan.get("started")).isEmpty();
        assertThat(replicasOn(added)).as("a dry run moves nothing").isZero();

        Api.Response applied = api.postJson("/api/v1/cluster/rebalance?dryRun=false&vhost=default&topic=" + TOPIC, "");
        assertThat(applied.status()).as(applied.body()).isEqualTo(202);
        awaitMovesDone(Duration.ofSeconds(120));
        int[] counts = {replicasOn(added), leadersOn(added)};
        System.out.printf("rebalance onto %s: %d moves planned, %d replicas and %d leaders of %s's 18 and 6 on it%n", added,
                plan.get("moves").size(), counts[0], counts[1], TOPIC);
        assertThat(counts[0]).isBetween(4, 5);
        assertThat(counts[1]).isBetween(1, 2);
        checkEverything("after the rebalance");
        awaitNoStaleCopies();
    }

    @Test
    @Order(3)
    void aMoveCompletesThoughTheControllerIsKilledMidway() throws Exception {
        // Off the new node onto the old node this partition lacks (its earlier copy was deleted: it copies afresh).
        int partition = partitionWith(added);
        List<String> current = replicaList(partition);
        String onto = cluster.layout().storageNodes().stream().map(s -> s.name()).filter(n -> !current.contains(n) && !n.equals(added))
                .findFirst().orElseThrow();
        List<String> target = replace(current, current.indexOf(added), onto);
        // A slow copy (the throttle), so the controller dies while the new replica is still copying.
        Api.Response r = move(target(partition, target), 48 * 1024);
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        String controller = cluster.activeCoordinator();
        cluster.launcher().kill(controller);
        CompletableFuture<Void> back = CompletableFuture.runAsync(() -> replicas.restart(controller));
        awaitMovesDone(Duration.ofSeconds(120));
        back.get(2, TimeUnit.MINUTES);
        assertThat(replicaList(partition)).isEqualTo(target);
        JsonNode last = lastMove(partition);
        assertThat(last.get("state").asString()).isEqualTo("completed");
        assertThat(last.get("copyBytesPerSecond").asLong()).isEqualTo(48 * 1024);
        checkEverything("after a move across a controller kill");
    }

    @Test
    @Order(4)
    void aMoveWhoseTargetNodeDiesRollsBackAndItsPartialCopyGoes() throws Exception {
        int partition = partitionWithout(added);
        List<String> original = replicaList(partition);
        // 1 byte/s: the copy cannot finish before the node dies.
        Api.Response r = move(target(partition, replace(original, 1, added)), 1);
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertProblem(move(target(partition, original), 0), 409, "already moving");
        String topicId = replicas.topicId(TOPIC);
        Path partial = replicas.partitionDir(added, TOPIC, topicId, partition);
        awaitTrue("the new replica started copying", () -> Files.isDirectory(partial));
        cluster.launcher().kill(added);
        try {
            awaitMovesDone(Duration.ofSeconds(90));
            JsonNode last = lastMove(partition);
            assertThat(last.get("state").asString()).isEqualTo("rolled-back");
            assertThat(last.get("reason").asString()).contains(added + " was not live");
            assertThat(replicaList(partition)).as("the original replicas, in their order").isEqualTo(original);
        } finally {
            replicas.restart(added);
        }
        awaitTrue("the restarted node deletes its partial copy", () -> !Files.exists(partial));
        checkEverything("after a rolled-back move");
    }

    @Test
    @Order(5)
    void aDrainedNodeHoldsNothingAndStopsWithoutLoss() {
        Api.Response r = api.postJson("/api/v1/cluster/nodes/" + added + "/drain", "");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(r.json().get("moves")).isNotEmpty();
        awaitMovesDone(Duration.ofSeconds(120));
        awaitCluster(added + " holds nothing", c -> nodes(c).get(added).get("replicasHeld").asInt() == 0);
        Path data = Path.of(cluster.layout().service(added).env().get(io.tributary.launcher.ClusterLayout.DATA_DIR));
        awaitTrue(added + " deletes every partition it held", () -> partitionDirs(data).isEmpty());
        // A drained node takes no new topic.
        assertThat(api.put(V + "/topics/after-drain", "{\"partitions\":3,\"replicationFactor\":3}").json().toString())
                .doesNotContain(added);
        cluster.launcher().stop(added);
        checkEverything("after draining and stopping " + added);
    }

    // ---- checks -------------------------------------------------------------------------

    /** Nothing acknowledged lost or doubled, keys in order, replicas identical, the consumer complete and in order. */
    private static void checkEverything(String when) {
        int target = load.ackedCount() + 200;
        load.awaitAcked(target);
        for (int p = 0; p < PARTITIONS; p++) {
            replicas.assertByteIdentical(TOPIC, p);
        }
        KeyedLoad.Verdict v = load.verify(PARTITIONS);
        Map<Integer, List<Long>> stored = new HashMap<>();
        StorageCrashClusterTest.readAll(api, TOPIC, PARTITIONS).forEach((p, ms) -> stored.put(p, ms.stream().map(m -> m.get("offset").asLong()).toList()));
        awaitTrue("the consumer has every stored message", () -> stored.entrySet().stream()
                .allMatch(e -> e.getValue().isEmpty() || consumed.getOrDefault(e.getKey(), List.of()).contains(e.getValue().get(e.getValue().size() - 1))));
        int redelivered = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            List<Long> got = List.copyOf(consumed.getOrDefault(p, List.of()));
            long highest = -1;
            java.util.Set<Long> seen = new java.util.HashSet<>();
            for (long offset : got) {
                if (!seen.add(offset)) {
                    redelivered++;
                    continue;
                }
                assertThat(offset).as("partition %d: a new message comes after every earlier one (%s)", p, when).isGreaterThan(highest);
                highest = offset;
            }
            assertThat(seen).as("partition %d: the consumer got every stored message (%s)", p, when).containsAll(stored.get(p));
        }
        long stallMs = longestStallMs();
        System.out.printf("%s: %d acknowledged, %d stored, missing %d, duplicates %d, out of order %d; %d failed publish attempts %s; "
                        + "longest stall %d ms; consumer redeliveries %d%n", when, v.acknowledged(), v.stored(), v.missing(), v.duplicates(),
                v.outOfOrder(), load.failedAttempts.get(), load.failureTypes, stallMs, redelivered);
        assertThat(v.missing()).as("acknowledged messages missing").isZero();
        assertThat(v.duplicates()).as("messages stored twice despite their ids").isZero();
        assertThat(v.outOfOrder()).as("keys out of order").isZero();
        load.assertOnlyRetriableFailures();
        assertThat(consumer.ending()).as("the consumer's session stayed open").isNull();
    }

    /** The longest time between two acknowledged publishes. */
    private static long longestStallMs() {
        List<Long> ends = load.calls.stream().filter(c -> c.status() == 200).map(KeyedLoad.Call::endNanos).sorted().toList();
        long longest = 0;
        for (int i = 1; i < ends.size(); i++) {
            longest = Math.max(longest, ends.get(i) - ends.get(i - 1));
        }
        return longest / 1_000_000;
    }

    // ---- helpers ------------------------------------------------------------------------

    private static Api.Response move(String target) {
        return api.postJson("/api/v1/cluster/reassignments", "{\"partitions\":[" + target + "]}");
    }

    private static Api.Response move(String target, long rate) {
        return api.postJson("/api/v1/cluster/reassignments", "{\"partitions\":[" + target + "],\"copyBytesPerSecond\":" + rate + "}");
    }

    private static String target(int partition, List<String> replicaList) {
        return "{\"vhost\":\"default\",\"topic\":\"" + TOPIC + "\",\"partition\":" + partition + ",\"replicas\":"
                + Api.JSON.writeValueAsString(replicaList) + "}";
    }

    private static List<String> replace(List<String> list, int index, String node) {
        List<String> out = new ArrayList<>(list);
        out.set(index, node);
        return out;
    }

    private static void assertProblem(Api.Response r, int status, String detail) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asString()).contains(detail);
    }

    private static JsonNode placement() {
        Map<Integer, String> out = new TreeMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            JsonNode n = replicas.partition(TOPIC, p);
            out.put(p, n.get("replicas").toString() + n.get("leader"));
        }
        return Api.JSON.valueToTree(out);
    }

    private static List<String> replicaList(int partition) {
        List<String> out = new ArrayList<>();
        replicas.partition(TOPIC, partition).get("replicas").forEach(n -> out.add(n.asString()));
        return out;
    }

    private static int partitionWithout(String node) {
        for (int p = 0; p < PARTITIONS; p++) {
            if (!replicaList(p).contains(node)) {
                return p;
            }
        }
        throw new AssertionError("every partition has a replica on " + node);
    }

    private static int partitionWith(String node) {
        for (int p = 0; p < PARTITIONS; p++) {
            if (replicaList(p).contains(node)) {
                return p;
            }
        }
        throw new AssertionError("no partition has a replica on " + node);
    }

    private static int replicasOn(String node) {
        int n = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            n += replicaList(p).contains(node) ? 1 : 0;
        }
        return n;
    }

    private static int leadersOn(String node) {
        int n = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            n += node.equals(replicas.leader(TOPIC, p)) ? 1 : 0;
        }
        return n;
    }

    private static JsonNode lastMove(int partition) {
        for (JsonNode m : api.get("/api/v1/cluster/reassignments").json().get("done")) {
            if (m.get("topic").asString().equals(TOPIC) && m.get("partition").asInt() == partition) {
                return m; // newest first
            }
        }
        throw new AssertionError("no finished move of " + TOPIC + "/" + partition);
    }

    private static void awaitMovesDone(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                Api.Response r = api.get("/api/v1/cluster/reassignments");
                last = r.body();
                if (r.status() == 200 && r.json().get("inProgress").isEmpty()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e.toString(); // the controller may be failing over
            }
            Replicas.sleep(200);
        }
        throw new AssertionError("moves still in progress after " + within + ": " + last);
    }

    private static Map<String, JsonNode> nodes(JsonNode cluster) {
        Map<String, JsonNode> out = new TreeMap<>();
        cluster.get("nodes").forEach(n -> out.put(n.get("id").asString(), n));
        return out;
    }

    private static void awaitCluster(String what, java.util.function.Predicate<JsonNode> condition) {
        awaitTrue(what, () -> {
            Api.Response r = api.get("/api/v1/cluster");
            return r.status() == 200 && condition.test(r.json());
        });
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // ask again
            }
            Replicas.sleep(200);
        }
        throw new AssertionError(what + ": not within 90 s");
    }

    /** No node keeps a copy of a partition it no longer holds a replica of. */
    private static void awaitNoStaleCopies() {
        String topicId = replicas.topicId(TOPIC);
        awaitTrue("replicas moved away are deleted", () -> {
            for (int p = 0; p < PARTITIONS; p++) {
                List<String> holders = replicaList(p);
                for (var s : cluster.layout().storageNodes()) {
                    if (!holders.contains(s.name()) && Files.exists(replicas.partitionDir(s.name(), TOPIC, topicId, p))) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    private static List<Path> partitionDirs(Path data) {
        if (!Files.isDirectory(data)) {
            return List.of();
        }
        try (var walk = Files.walk(data, 3)) {
            return walk.filter(p -> data.relativize(p).getNameCount() == 3 && Files.isDirectory(p)).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
