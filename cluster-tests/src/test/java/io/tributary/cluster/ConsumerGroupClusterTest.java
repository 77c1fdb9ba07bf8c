package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Two consumers of one group split the partitions between them: every message once, no partition shared. */
class ConsumerGroupClusterTest {

    @Test
    void twoWebSocketConsumersShareTheWorkWithoutOverlap() throws Exception {
        Api api = TestCluster.get().api();
        api.topicWithSubscription("pair", 4, "workers");
        String path = "/ws/v1/vhosts/default/topics/pair/subscriptions/workers";
        try (WsClient a = WsClient.open(api.http(), api.base(), path); WsClient b = WsClient.open(api.http(), api.base(), path)) {
            awaitSettledGroup(api, "pair", 2);
            Published published = Published.batch(api, "pair", 400, 40);

            List<JsonNode> fromA = new ArrayList<>();
            List<JsonNode> fromB = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (fromA.size() + fromB.size() < 400 && System.currentTimeMillis() < deadline) {
                String fa = a.poll(Duration.ofMillis(100));
                if (fa != null) {
                    fromA.add(Api.JSON.readTree(fa));
                }
                String fb = b.poll(Duration.ofMillis(100));
                if (fb != null) {
                    fromB.add(Api.JSON.readTree(fb));
                }
            }
            List<JsonNode> all = new ArrayList<>(fromA);
            all.addAll(fromB);
            published.assertDeliveredExactlyOnceInOrder(all);
            Set<Integer> partitionsA = partitions(fromA);
            Set<Integer> partitionsB = partitions(fromB);
            assertThat(partitionsA).as("each consumer gets part of the work").isNotEmpty();
            assertThat(partitionsB).isNotEmpty();
            assertThat(partitionsA).doesNotContainAnyElementsOf(partitionsB);
        }
    }

    @Test
    void whenOneConsumerLeavesTheOtherTakesOverItsPartitions() throws Exception {
        Api api = TestCluster.get().api();
        api.topicWithSubscription("handover", 3, "workers");
        String path = "/ws/v1/vhosts/default/topics/handover/subscriptions/workers";
        try (WsClient a = WsClient.open(api.http(), api.base(), path)) {
            WsClient b = WsClient.open(api.http(), api.base(), path);
            awaitSettledGroup(api, "handover", 2);
            b.close();
            awaitSettledGroup(api, "handover", 1);
            Published published = Published.batch(api, "handover", 200, 30);
            List<JsonNode> got = new ArrayList<>();
            for (String frame : a.take(200, Duration.ofSeconds(30))) {
                got.add(Api.JSON.readTree(frame));
            }
            published.assertDeliveredExactlyOnceInOrder(got);
            assertThat(partitions(got)).containsExactlyInAnyOrder(0, 1, 2);
        }
    }

    static Set<Integer> partitions(List<JsonNode> messages) {
        Set<Integer> set = new HashSet<>();
        messages.forEach(m -> set.add(m.get("partition").asInt()));
        return set;
    }

    /** Waits until the group has {@code count} members and every one of them acts on the current assignment. */
    static void awaitSettledGroup(Api api, String topic, int count) throws InterruptedException {
        awaitSettledGroup(api, topic, "workers", count);
    }

    static void awaitSettledGroup(Api api, String topic, String sub, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        JsonNode view = null;
        while (System.currentTimeMillis() < deadline) {
            view = api.get("/api/v1/vhosts/default/topics/" + topic + "/subscriptions/" + sub).json();
            if (view.get("members").size() == count && !view.get("rebalancing").asBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the group never settled with " + count + " members; last seen: " + view);
    }
}
