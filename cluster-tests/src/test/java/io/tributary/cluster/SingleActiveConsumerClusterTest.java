package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Single active consumer (RabbitMQ's), an option of group and shared subscriptions: of two
 * WebSocket consumers only the one that joined first receives, the other stands by; when the
 * active one leaves, the other takes over where it stopped (a group from the committed
 * positions; a shared subscription gets what the first held unacked back, delivered again).
 */
class SingleActiveConsumerClusterTest {
    static Api api;

    @BeforeAll
    static void start() {
        api = TestCluster.get().api();
    }

    static String sub(String topic, String sub) {
        return "/api/v1/vhosts/default/topics/" + topic + "/subscriptions/" + sub;
    }

    /** A consumer that keeps every message frame and acks those {@code acking} lets through. */
    static WsClient consumer(String topic, String sub, List<JsonNode> got, java.util.function.Predicate<JsonNode> acking) {
        return WsClient.open(api.http(), api.base(), "/ws/v1/vhosts/default/topics/" + topic + "/subscriptions/" + sub + "?credit=1000",
                (client, frame) -> {
                    JsonNode m = Api.JSON.readTree(frame);
                    if (m.has("id")) {
                        got.add(m);
                        if (acking.test(m)) {
                            client.send("{\"ack\":[\"" + m.get("id").asString() + "\"]}");
                        }
                    }
                });
    }

    /** The view once it lists {@code members} members and one active member; returns the active member's id. */
    static String awaitActive(String topic, String sub, int members) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode view = null;
        while (System.nanoTime() < deadline) {
            view = api.get(sub(topic, sub)).json();
            if (view.get("members").size() == members && view.has("activeMember") && !view.get("rebalancing").asBoolean()) {
                return view.get("activeMember").asString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never " + members + " members with an active one: " + view);
    }

    static void awaitSize(List<JsonNode> got, int n, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (got.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(got).as("messages within %s", within).hasSizeGreaterThanOrEqualTo(n);
    }

    @Test
    void sharedOnlyTheFirstReceivesAndTheSecondTakesOverWithWhatItHeld() throws Exception {
        String topic = "sac-shared";
        api.topicWithSubscription(topic, 3, null);
        assertThat(api.put(sub(topic, "one"), "{\"type\":\"shared\",\"startAt\":\"earliest\",\"singleActiveConsumer\":true}")
                .status()).isEqualTo(201);
        List<JsonNode> fromA = new CopyOnWriteArrayList<>();
        List<JsonNode> fromB = new CopyOnWriteArrayList<>();
        // A joins first, so it is the active consumer; it acks everything but message 7.
        WsClient a = consumer(topic, "one", fromA, m -> !m.get("payload").get("seq").asString().equals("7"));
        String activeA = awaitActive(topic, "one", 1);
        assertThat(activeA).startsWith("m-ws-");
        try (WsClient b = consumer(topic, "one", fromB, m -> true)) {
            assertThat(awaitActive(topic, "one", 2)).as("the first to join stays active").isEqualTo(activeA);
            Published first = Published.batch(api, topic, 50, 10);
            awaitSize(fromA, 50, Duration.ofSeconds(30));
            assertThat(fromB).as("the standby consumer receives nothing").isEmpty();
            String held = fromA.stream().filter(m -> m.get("payload").get("seq").asString().equals("7")).findFirst()
                    .orElseThrow().get("id").asString();
            first.assertDeliveredExactlyOnceInOrder(List.copyOf(fromA));
            a.close(); // leaves: what it held unacked is requeued
            assertThat(awaitActive(topic, "one", 1)).isNotEqualTo(activeA);
            Published second = Published.batch(api, topic, 30, 10);
            awaitSize(fromB, 31, Duration.ofSeconds(30));
            Set<String> ids = new HashSet<>();
            fromB.forEach(m -> ids.add(m.get("id").asString()));
            Set<String> expected = new HashSet<>();
            second.messages.forEach(m -> expected.add(m.id()));
            expected.add(held);
            assertThat(ids).as("the second consumer gets the new messages and the one the first held").isEqualTo(expected);
            JsonNode again = fromB.stream().filter(m -> m.get("id").asString().equals(held)).findFirst().orElseThrow();
            assertThat(again.get("deliveryCount").asInt()).isEqualTo(2);
            assertThat(fromB).hasSize(31);
        }
    }

    @Test
    void groupAllPartitionsGoToTheFirstAndMoveWhenItLeaves() throws Exception {
        String topic = "sac-group";
        api.topicWithSubscription(topic, 4, null);
        assertThat(api.put(sub(topic, "solo"), "{\"type\":\"group\",\"startAt\":\"earliest\",\"singleActiveConsumer\":true}")
                .status()).isEqualTo(201);
        List<JsonNode> fromA = new CopyOnWriteArrayList<>();
        List<JsonNode> fromB = new CopyOnWriteArrayList<>();
        WsClient a = consumer(topic, "solo", fromA, m -> true);
        String activeA = awaitActive(topic, "solo", 1);
        try (WsClient b = consumer(topic, "solo", fromB, m -> true)) {
            assertThat(awaitActive(topic, "solo", 2)).isEqualTo(activeA);
            Published first = Published.batch(api, topic, 100, 20);
            awaitSize(fromA, 100, Duration.ofSeconds(30));
            first.assertDeliveredExactlyOnceInOrder(List.copyOf(fromA));
            assertThat(partitions(fromA)).as("every partition is read by the active consumer").hasSize(4);
            awaitCommitted(topic, "solo", 100);
            assertThat(fromB).as("the standby consumer receives nothing").isEmpty();
            a.close();
            assertThat(awaitActive(topic, "solo", 1)).isNotEqualTo(activeA);
            Published second = Published.batch(api, topic, 100, 20);
            awaitSize(fromB, 100, Duration.ofSeconds(30));
            second.assertDeliveredExactlyOnceInOrder(List.copyOf(fromB));
            assertThat(partitions(fromB)).hasSize(4);
        }
    }

    @Test
    void singleActiveConsumerIsRefusedWhereItMeansNothing() {
        String topic = "sac-bad";
        api.topicWithSubscription(topic, 1, null);
        Api.Response broadcast = api.put(sub(topic, "b"), "{\"type\":\"broadcast\",\"singleActiveConsumer\":true}");
        assertThat(broadcast.status()).isEqualTo(400);
        assertThat(broadcast.body()).contains("singleActiveConsumer");
        Api.Response notBool = api.put(sub(topic, "c"), "{\"type\":\"shared\",\"singleActiveConsumer\":\"yes\"}");
        assertThat(notBool.status()).isEqualTo(400);
        assertThat(notBool.body()).contains("singleActiveConsumer");
        assertThat(api.put(sub(topic, "s"), "{\"type\":\"shared\",\"singleActiveConsumer\":true}").status()).isEqualTo(201);
        Api.Response poll = api.post(sub(topic, "s") + "/poll", "application/json", new byte[0]);
        assertThat(poll.status()).isEqualTo(400);
        assertThat(poll.body()).contains("single active consumer");
        Api.Response redeclared = api.put(sub(topic, "s"), "{\"type\":\"shared\"}");
        assertThat(redeclared.status()).as("other settings than declared").isEqualTo(409);
    }

    private static Set<Integer> partitions(List<JsonNode> messages) {
        Set<Integer> out = new HashSet<>();
        messages.forEach(m -> out.add(m.get("partition").asInt()));
        return out;
    }

    private static void awaitCommitted(String topic, String sub, long total) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long sum = -1;
        while (System.nanoTime() < deadline) {
            sum = 0;
            for (JsonNode p : api.get(sub(topic, sub)).json().get("partitions")) {
                sum += p.get("committedOffset").asLong();
            }
            if (sum >= total) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("committed " + sum + " of " + total);
    }
}
