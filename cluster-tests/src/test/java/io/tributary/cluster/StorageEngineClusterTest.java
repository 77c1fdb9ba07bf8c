package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The storage engine through the public API: sync flush surviving kill -9, lookups by key and
 * by time, idempotent publish, retention. The test cluster's nodes roll 64 KB segments.
 */
class StorageEngineClusterTest {
    static TestCluster cluster;
    static Api api;

    @BeforeAll
    static void start() {
        cluster = TestCluster.get();
        api = cluster.api();
    }

    @Test
    void syncFlushedMessagesAreAllThereAfterKillMinusNineRightAfterTheirAcks() {
        assertThat(api.put("/api/v1/vhosts/default/topics/durable", "{\"partitions\":3,\"flush\":\"sync\"}").status()).isEqualTo(201);
        List<Published> batches = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batches.add(Published.batch(api, "durable", 150, 30));
        }
        // kill -9 every node the moment the last acknowledgment arrived
        cluster.layout().storageNodes().forEach(n -> cluster.launcher().kill(n.name()));
        cluster.layout().storageNodes().forEach(n -> cluster.launcher().start(n.name()));
        cluster.layout().storageNodes().forEach(n -> cluster.launcher().awaitReady(n.name()));
        // Consumers see only what the in-sync replicas confirmed; after every replica crashed
        // that is known again once the followers fetched from the leader: wait for it.
        Replicas replicas = new Replicas(cluster);
        for (int p = 0; p < 3; p++) {
            replicas.awaitConverged("durable", p, java.time.Duration.ofSeconds(60));
        }
        Map<Integer, List<JsonNode>> stored = StorageCrashClusterTest.readAll(api, "durable", 3);
        Set<String> ids = new HashSet<>();
        stored.values().forEach(l -> l.forEach(m -> ids.add(m.get("id").asString())));
        for (Published p : batches) {
            for (Published.Message m : p.messages) {
                assertThat(ids).as("acknowledged %s survives", m.id()).contains(m.id());
            }
        }
        assertThat(ids).hasSize(900);
    }

    @Test
    void lookupByKeyReturnsThatKeysMessagesNewestFirst() {
        api.topicWithSubscription("bykey", 4, null);
        Published first = Published.batch(api, "bykey", 400, 20); // key k7: seq 7, 27, 47, ...
        Published second = Published.batch(api, "bykey", 400, 20);
        Api.Response r = api.get("/api/v1/vhosts/default/topics/bykey/messages?key=k7&limit=30");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode messages = r.json().get("messages");
        assertThat(messages.size()).isEqualTo(30);
        List<Published.Message> expected = new ArrayList<>();
        for (Published p : List.of(first, second)) {
            p.messages.stream().filter(m -> m.key().equals("k7")).forEach(expected::add);
        }
        java.util.Collections.reverse(expected); // newest first
        for (int i = 0; i < 30; i++) {
            JsonNode m = messages.get(i);
            assertThat(m.get("key").asString()).isEqualTo("k7");
            assertThat(m.get("id").asString()).isEqualTo(expected.get(i).id());
        }
        assertThat(api.get("/api/v1/vhosts/default/topics/bykey/messages?key=nobody").json().get("messages").size()).isZero();
    }

    @Test
    void offsetsForATimestampPointAtTheFirstMessageAtOrAfterIt() {
        api.topicWithSubscription("bytime", 2, null);
        Published.batch(api, "bytime", 50, 10);
        // A moment strictly after every earlier message and strictly before every later one.
        long between = awaitClockPast(System.currentTimeMillis());
        awaitClockPast(between);
        Published later = Published.batch(api, "bytime", 50, 10);
        JsonNode offsets = api.get("/api/v1/vhosts/default/topics/bytime/messages?timestamp=" + between).json().get("offsets");
        assertThat(offsets.size()).as("one offset per partition").isEqualTo(2);
        for (JsonNode o : offsets) {
            int p = o.get("partition").asInt();
            long firstLater = later.messages.stream().filter(m -> m.partition() == p).mapToLong(Published.Message::offset).min().orElseThrow();
            assertThat(o.get("offset").asLong()).as("partition " + p).isEqualTo(firstLater);
        }
    }

    /** Waits until the wall clock shows a millisecond after {@code ms}; returns that millisecond. */
    static long awaitClockPast(long ms) {
        long now;
        while ((now = System.currentTimeMillis()) <= ms) {
            Thread.onSpinWait();
        }
        return now;
    }

    @Test
    void aRetriedPublishWithTheSameIdsIsStoredOnceAndAnsweredWithTheOriginalOffsets() {
        api.topicWithSubscription("idem", 3, null);
        String body = "[{\"id\":\"order-1\",\"payload\":1},{\"id\":\"order-2\",\"payload\":2},{\"key\":\"k\",\"id\":\"order-3\",\"payload\":3}]";
        Api.Response first = api.postJson("/api/v1/vhosts/default/topics/idem/messages", body);
        Api.Response retry = api.postJson("/api/v1/vhosts/default/topics/idem/messages", body);
        assertThat(first.status()).isEqualTo(200);
        assertThat(retry.json()).isEqualTo(first.json());
        long stored = 0;
        for (JsonNode p : api.get("/api/v1/vhosts/default/topics/idem").json().get("partitions")) {
            stored += p.get("endOffset").asLong();
        }
        assertThat(stored).isEqualTo(3);
    }

    @Test
    void retentionBySizeDeletesWholeOldSegments() throws InterruptedException {
        // 200 KB per partition at most; 64 KB segments; ~900 KB published
        assertThat(api.put("/api/v1/vhosts/default/topics/retained", "{\"partitions\":1,\"retentionBytes\":204800}").status()).isEqualTo(201);
        String pad = "x".repeat(900);
        for (int i = 0; i < 10; i++) {
            StringBuilder b = new StringBuilder("[");
            for (int j = 0; j < 100; j++) {
                b.append(j == 0 ? "" : ",").append("{\"payload\":\"").append(pad).append("\"}");
            }
            assertThat(api.postJson("/api/v1/vhosts/default/topics/retained/messages", b.append("]").toString()).status()).isEqualTo(200);
        }
        // Retention runs every second on the node and deletes segments one by one: wait for it to settle.
        JsonNode p0 = null;
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            p0 = api.get("/api/v1/vhosts/default/topics/retained").json().get("partitions").get(0);
            if (p0.get("startOffset").asLong() > 0 && p0.get("sizeBytes").asLong() < 204_800 + 2 * 65_536) {
                break;
            }
            Thread.sleep(250);
        }
        assertThat(p0.get("startOffset").asLong()).as("retention moved the log start: " + p0).isGreaterThan(0);
        assertThat(p0.get("endOffset").asLong()).isEqualTo(1000);
        assertThat(p0.get("sizeBytes").asLong()).isGreaterThanOrEqualTo(204_800).isLessThan(204_800 + 2 * 65_536);
        // browsing from 0 starts at the first retained offset
        JsonNode page = api.get("/api/v1/vhosts/default/topics/retained/partitions/0/messages?offset=0&limit=1").json();
        assertThat(page.get("messages").get(0).get("offset").asLong()).isEqualTo(p0.get("startOffset").asLong());
    }

    @Test
    void anSseConsumerBehindRetentionIsToldWhatWasRemovedThenReadsOn() throws Exception {
        String topic = "retained-late";
        assertThat(api.put("/api/v1/vhosts/default/topics/" + topic, "{\"partitions\":1,\"retentionBytes\":204800}").status())
                .isEqualTo(201);
        // The subscription's start is fixed at 0 before anything is published.
        assertThat(api.put("/api/v1/vhosts/default/topics/" + topic + "/subscriptions/late", "{\"type\":\"group\",\"startAt\":\"earliest\"}")
                .status()).isEqualTo(201);
        String pad = "x".repeat(900);
        for (int i = 0; i < 10; i++) {
            StringBuilder b = new StringBuilder("[");
            for (int j = 0; j < 100; j++) {
                b.append(j == 0 ? "" : ",").append("{\"payload\":\"").append(pad).append("\"}");
            }
            assertThat(api.postJson("/api/v1/vhosts/default/topics/" + topic + "/messages", b.append("]").toString()).status()).isEqualTo(200);
        }
        long start = 0;
        long deadline = System.currentTimeMillis() + 15_000;
        while (start == 0 && System.currentTimeMillis() < deadline) {
            start = api.get("/api/v1/vhosts/default/topics/" + topic).json().get("partitions").get(0).get("startOffset").asLong();
            Thread.sleep(100);
        }
        assertThat(start).as("retention moved the log start").isPositive();
        try (SseClient sse = SseClient.open(api.http(), api.uri("/api/v1/vhosts/default/topics/" + topic + "/subscriptions/late/events"), null)) {
            List<SseClient.Event> events = sse.takeEvents(2, java.time.Duration.ofSeconds(30));
            assertThat(events.get(0).event()).isEqualTo("retention");
            JsonNode gap = Api.JSON.readTree(events.get(0).data());
            assertThat(gap.get("partition").asInt()).isZero();
            assertThat(gap.get("from").asLong()).isZero();
            assertThat(gap.get("to").asLong()).isGreaterThanOrEqualTo(start);
            assertThat(events.get(1).event()).isEqualTo("message");
            assertThat(Api.JSON.readTree(events.get(1).data()).get("offset").asLong()).as("reads on from the first retained offset")
                    .isEqualTo(gap.get("to").asLong());
        }
    }
}
