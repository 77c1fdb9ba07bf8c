package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.ClusterLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** kill -9 storage nodes right after acknowledgments; after restart nothing acknowledged is missing. */
class StorageCrashClusterTest {

    @Test
    void everyAcknowledgedMessageSurvivesKillMinusNineOfEveryStorageNode() {
        TestCluster cluster = TestCluster.get();
        Api api = cluster.api();
        api.topicWithSubscription("crash", 6, null);
        List<Published> batches = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batches.add(Published.batch(api, "crash", 200, 40)); // acks=all: answered after the leader stored it
        }
        for (var node : cluster.layout().storageNodes()) {
            cluster.killAndRestart(node.name());
        }
        Map<Integer, List<JsonNode>> byPartition = readAll(api, "crash", 6);
        Map<String, JsonNode> stored = new HashMap<>();
        byPartition.values().forEach(list -> list.forEach(m -> stored.put(m.get("id").asString(), m)));
        int total = 0;
        for (Published p : batches) {
            for (Published.Message m : p.messages) {
                JsonNode s = stored.get(m.id());
                assertThat(s).as("acknowledged %s is missing after the crash", m.id()).isNotNull();
                assertThat(s.get("key").asString()).isEqualTo(m.key());
                total++;
            }
        }
        assertThat(stored).hasSize(total);

        // The restarted nodes take appends again, continuing the offsets: each partition's new
        // messages start exactly at the end it had before the crash, with no gap and no reuse.
        Map<Integer, Long> endBefore = new HashMap<>();
        byPartition.forEach((p, list) -> endBefore.put(p, (long) list.size()));
        Published after = Published.batch(api, "crash", 60, 40);
        Map<Integer, List<Long>> newOffsets = new HashMap<>();
        after.messages.forEach(m -> newOffsets.computeIfAbsent(m.partition(), k -> new ArrayList<>()).add(m.offset()));
        assertThat(newOffsets).isNotEmpty();
        newOffsets.forEach((p, offsets) -> {
            java.util.Collections.sort(offsets);
            for (int i = 0; i < offsets.size(); i++) {
                assertThat(offsets.get(i)).as("offset %d of the new messages on partition %d", i, p).isEqualTo(endBefore.get(p) + i);
            }
        });
        assertThat(cluster.launcher().isReady(ClusterLayout.GATEWAY)).isTrue();
    }

    static Map<Integer, List<JsonNode>> readAll(Api api, String topic, int partitions) {
        Map<Integer, List<JsonNode>> result = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            List<JsonNode> messages = new ArrayList<>();
            long offset = 0;
            while (true) {
                Api.Response r = api.get("/api/v1/vhosts/default/topics/" + topic + "/partitions/" + p + "/messages?offset="
                        + offset + "&limit=1000");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                JsonNode page = r.json();
                page.get("messages").forEach(messages::add);
                long next = page.get("nextOffset").asLong();
                if (next >= page.get("endOffset").asLong() || next == offset) {
                    break;
                }
                offset = next;
            }
            result.put(p, messages);
        }
        return result;
    }
}
