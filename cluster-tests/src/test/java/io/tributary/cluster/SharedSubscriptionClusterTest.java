package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Shared subscriptions (RabbitMQ's competing consumers) through the real cluster: consumers
 * over WebSocket split the messages with no overlap; a nack with requeue comes back with its
 * delivery count raised; the ack timeout redelivers; a poison message reaches the dead letter
 * topic after exactly maxDeliveries deliveries, with its reason and origin; rejected and
 * expired messages are dead-lettered too; bad settings and unknown ids are refused.
 */
class SharedSubscriptionClusterTest {
    static final String V = "/api/v1/vhosts/default";
    static Api api;

    @BeforeAll
    static void start() {
        api = TestCluster.get().api();
    }

    static String sub(String topic, String sub) {
        return V + "/topics/" + topic + "/subscriptions/" + sub;
    }

    static void topic(String topic, int partitions) {
        Api.Response t = api.put(V + "/topics/" + topic, "{\"partitions\":" + partitions + "}");
        assertThat(t.status()).as(t.body()).isIn(200, 201);
    }

    static void declare(String topic, String name, String settings) {
        Api.Response r = api.put(sub(topic, name), settings);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    /** A poll's messages. */
    static List<JsonNode> poll(String topic, String name, int max, long waitMs) {
        Api.Response r = api.post(sub(topic, name) + "/poll?max=" + max + "&waitMs=" + waitMs, "application/json", new byte[0]);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.json().get("messages").forEach(out::add);
        return out;
    }

    static Api.Response settle(String topic, String name, String op, String body) {
        return api.postJson(sub(topic, name) + "/" + op, body);
    }

    @Test
    void threeConsumersSplitTheMessagesWithNoOverlap() throws Exception {
        String topic = "shared-split";
        topic(topic, 3);
        declare(topic, "workers", "{\"type\":\"shared\",\"startAt\":\"earliest\"}");
        Map<String, String> receivedBy = new ConcurrentHashMap<>();
        List<String> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());
        List<WsClient> consumers = new ArrayList<>();
        try {
            for (int c = 0; c < 3; c++) {
                String name = "c" + c;
                // Each consumer acks every message as it arrives and grants one more permit for it.
                consumers.add(WsClient.open(api.http(), api.base(), "/ws/v1/vhosts/default/topics/" + topic
                        + "/subscriptions/workers?credit=5", (ws, frame) -> {
                            JsonNode m = Api.JSON.readTree(frame);
                            if (!m.has("id")) {
                                return;
                            }
                            String id = m.get("id").asString();
                            if (receivedBy.putIfAbsent(id, name) != null) {
                                duplicates.add(id + " to " + name + " and " + receivedBy.get(id));
                            }
                            ws.send("{\"ack\":[\"" + id + "\"]}");
                            ws.send("{\"credit\":1}");
                        }));
            }
            Published published = Published.batch(api, topic, 150, 30);
            Set<String> ids = new HashSet<>();
            published.messages.forEach(m -> ids.add(m.id()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (receivedBy.size() < ids.size() && System.nanoTime() < deadline) {
                Replicas.sleep(50);
            }
            assertThat(receivedBy.keySet()).as("every message reached a consumer").isEqualTo(ids);
            assertThat(duplicates).as("no message went to two consumers, or twice").isEmpty();
            Map<String, Long> perConsumer = new java.util.TreeMap<>();
            receivedBy.values().forEach(n -> perConsumer.merge(n, 1L, Long::sum));
            assertThat(perConsumer).as("all three consumers took a share: %s", perConsumer).hasSize(3);
            // Every ack landed: nothing unacked, and the committed position is the end on every partition.
            JsonNode view = null;
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                view = api.get(sub(topic, "workers")).json();
                if (allSettled(view)) {
                    break;
                }
                Replicas.sleep(50);
            }
            assertThat(allSettled(view)).as("every partition settled: %s", view).isTrue();
            assertThat(view.get("type").asString()).isEqualTo("shared");
            List<String> members = new ArrayList<>();
            view.get("members").forEach(m -> members.add(m.asString()));
            assertThat(members).as("the three consumers are members, each named with its transport").hasSize(3)
                    .allSatisfy(m -> assertThat(m).startsWith("m-ws-"));
        } finally {
            consumers.forEach(WsClient::close);
        }
    }

    private static boolean allSettled(JsonNode view) {
        for (JsonNode p : view.get("partitions")) {
            if (p.path("unacked").asLong(-1) != 0 || p.path("lag").asLong(-1) != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aNackRequeuesWithTheDeliveryCountRaisedAndTheAckTimeoutRedelivers() {
        String topic = "shared-redeliver";
        topic(topic, 1);
        declare(topic, "jobs", "{\"type\":\"shared\",\"startAt\":\"earliest\",\"ackTimeoutMs\":1500}");
        Published.batch(api, topic, 2, 2);

        List<JsonNode> first = poll(topic, "jobs", 1, 5000);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).get("id").asString()).isEqualTo("0-0");
        assertThat(first.get(0).get("deliveryCount").asInt()).isEqualTo(1);
        Api.Response nack = settle(topic, "jobs", "nack", "{\"ids\":[\"0-0\"],\"requeue\":true}");
        assertThat(nack.status()).as(nack.body()).isEqualTo(200);

        long secondClaim = System.currentTimeMillis(); // the lease of the second delivery starts after this
        List<JsonNode> again = poll(topic, "jobs", 1, 5000);
        assertThat(again).extracting(m -> m.get("id").asString()).containsExactly("0-0");
        assertThat(again.get(0).get("deliveryCount").asInt()).as("the nacked message, delivered a second time").isEqualTo(2);

        List<JsonNode> next = poll(topic, "jobs", 5, 0);
        assertThat(next).extracting(m -> m.get("id").asString()).as("0-0 is held by the last poll until its ack timeout")
                .containsExactly("0-1");
        assertThat(settle(topic, "jobs", "ack", "{\"ids\":[\"0-1\"]}").status()).isEqualTo(200);

        List<JsonNode> timedOut = poll(topic, "jobs", 5, 10_000);
        assertThat(timedOut).extracting(m -> m.get("id").asString()).containsExactly("0-0");
        assertThat(timedOut.get(0).get("deliveryCount").asInt()).isEqualTo(3);
        assertThat(System.currentTimeMillis() - secondClaim).as("redelivered once its ack timeout passed, not before")
                .isGreaterThanOrEqualTo(1500);

        Api.Response ack = settle(topic, "jobs", "ack", "{\"ids\":[\"0-0\"]}");
        assertThat(ack.status()).as(ack.body()).isEqualTo(200);
        assertThat(ack.json().get("committed").get("0").asLong()).as("everything below 2 is acked").isEqualTo(2);
        assertThat(settle(topic, "jobs", "ack", "{\"ids\":[\"0-0\"]}").status()).as("a retried ack is harmless").isEqualTo(200);
        assertThat(poll(topic, "jobs", 5, 0)).isEmpty();
    }

    @Test
    void aPoisonMessageIsDeadLetteredAfterExactlyMaxDeliveriesWithItsReasonAndOrigin() {
        String topic = "shared-poison";
        topic(topic, 1);
        topic(topic + "-dlq", 1);
        declare(topic, "jobs", "{\"type\":\"shared\",\"startAt\":\"earliest\",\"maxDeliveries\":3,\"deadLetterTopic\":\""
                + topic + "-dlq\"}");
        Api.Response pub = api.postJson(V + "/topics/" + topic + "/messages",
                "[{\"key\":\"poison\",\"tag\":\"TagP\",\"headers\":{\"origin\":\"test\"},\"payload\":{\"bad\":true}},"
                        + "{\"key\":\"reject\",\"payload\":\"no\"}]");
        assertThat(pub.status()).as(pub.body()).isEqualTo(200);

        for (int delivery = 1; delivery <= 3; delivery++) {
            List<JsonNode> got = poll(topic, "jobs", 1, 5000);
            assertThat(got).extracting(m -> m.get("id").asString()).as("delivery %d", delivery).containsExactly("0-0");
            assertThat(got.get(0).get("deliveryCount").asInt()).isEqualTo(delivery);
            assertThat(settle(topic, "jobs", "nack", "{\"ids\":[\"0-0\"]}").status()).isEqualTo(200);
        }
        List<JsonNode> rest = poll(topic, "jobs", 5, 5000);
        assertThat(rest).extracting(m -> m.get("id").asString()).as("the poison message is not delivered a fourth time")
                .containsExactly("0-1");
        Api.Response reject = settle(topic, "jobs", "nack", "{\"ids\":[\"0-1\"],\"requeue\":false}");
        assertThat(reject.status()).as(reject.body()).isEqualTo(200);

        List<JsonNode> dead = awaitMessages(topic + "-dlq", 2);
        JsonNode poison = dead.stream().filter(m -> "poison".equals(m.get("key").asString())).findFirst().orElseThrow();
        assertThat(poison.get("headers").get("x-dead-letter-reason").asString()).isEqualTo("max-deliveries");
        assertThat(poison.get("headers").get("x-original-topic").asString()).isEqualTo(topic);
        assertThat(poison.get("headers").get("x-original-partition").asString()).isEqualTo("0");
        assertThat(poison.get("headers").get("x-original-offset").asString()).isEqualTo("0");
        assertThat(poison.get("headers").get("x-delivery-count").asString()).isEqualTo("3");
        assertThat(poison.get("headers").get("origin").asString()).as("its own headers kept").isEqualTo("test");
        assertThat(poison.get("tag").asString()).isEqualTo("TagP");
        assertThat(poison.get("payload").get("bad").asBoolean()).isTrue();
        JsonNode rejected = dead.stream().filter(m -> "reject".equals(m.get("key").asString())).findFirst().orElseThrow();
        assertThat(rejected.get("headers").get("x-dead-letter-reason").asString()).isEqualTo("rejected");
        assertThat(rejected.get("headers").get("x-original-offset").asString()).isEqualTo("1");

        JsonNode view = api.get(sub(topic, "jobs")).json();
        assertThat(view.get("deadLetterMessages").asLong()).as(view.toString()).isEqualTo(2);
        assertThat(view.get("partitions").get(0).get("committedOffset").asLong()).as("dead letters are settled").isEqualTo(2);
        assertThat(poll(topic, "jobs", 5, 0)).isEmpty();
    }

    @Test
    void anExpiredMessageIsNeverDeliveredAndGoesToTheDeadLetterTopic() {
        String topic = "shared-ttl";
        topic(topic, 1);
        topic(topic + "-dlq", 1);
        declare(topic, "jobs", "{\"type\":\"shared\",\"startAt\":\"earliest\",\"deadLetterTopic\":\"" + topic + "-dlq\"}");
        long sent = System.currentTimeMillis();
        Api.Response pub = api.postJson(V + "/topics/" + topic + "/messages",
                "[{\"key\":\"old\",\"payload\":1,\"ttlMs\":50},{\"key\":\"fresh\",\"payload\":2}]");
        assertThat(pub.status()).as(pub.body()).isEqualTo(200);
        while (System.currentTimeMillis() < sent + 200) {
            Replicas.sleep(20); // until the TTL has certainly passed
        }
        List<JsonNode> got = poll(topic, "jobs", 5, 5000);
        assertThat(got).extracting(m -> m.get("key").asString()).containsExactly("fresh");
        List<JsonNode> dead = awaitMessages(topic + "-dlq", 1);
        assertThat(dead.get(0).get("key").asString()).isEqualTo("old");
        assertThat(dead.get(0).get("headers").get("x-dead-letter-reason").asString()).isEqualTo("expired");
    }

    /** The first {@code n} messages of a one-partition topic, waiting until they are there. */
    static List<JsonNode> awaitMessages(String topic, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<JsonNode> out = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            out.clear();
            Api.Response r = api.get(V + "/topics/" + topic + "/partitions/0/messages?offset=0&limit=100");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().get("messages").forEach(out::add);
            if (out.size() >= n) {
                return out;
            }
            Replicas.sleep(50);
        }
        throw new AssertionError("topic " + topic + " has " + out.size() + " of " + n + " messages");
    }

    @Test
    void badSettingsAndUnknownIdsAreRefused() {
        String topic = "shared-bad";
        topic(topic, 2);
        topic(topic + "-dlq", 1);
        Map<String, String> refused = Map.of(
                "{\"type\":\"shared\",\"maxDeliveries\":3}", "deadLetterTopic",
                "{\"type\":\"shared\",\"maxDeliveries\":-1,\"deadLetterTopic\":\"" + topic + "-dlq\"}", "maxDeliveries",
                "{\"type\":\"shared\",\"deadLetterTopic\":\"missing\"}", "missing",
                "{\"type\":\"shared\",\"deadLetterTopic\":\"" + topic + "\"}", "deadLetterTopic",
                "{\"type\":\"shared\",\"ackTimeoutMs\":0}", "ackTimeoutMs",
                "{\"type\":\"key_shared\",\"singleActiveConsumer\":true}", "singleActiveConsumer");
        refused.forEach((body, field) -> {
            Api.Response r = api.put(sub(topic, "s"), body);
            assertThat(r.status()).as("%s -> %s", body, r.body()).isEqualTo(400);
            assertThat(r.contentType()).contains("application/problem+json");
            assertThat(r.body()).contains(field);
        });
        assertThat(api.get(sub(topic, "s")).status()).as("nothing was declared").isEqualTo(404);

        declare(topic, "s", "{\"type\":\"shared\",\"startAt\":\"earliest\"}");
        Published.batch(api, topic, 4, 4);
        List<JsonNode> got = poll(topic, "s", 4, 5000);
        assertThat(got).isNotEmpty();
        String delivered = got.get(0).get("id").asString();
        int partition = got.get(0).get("partition").asInt();
        Api.Response never = settle(topic, "s", "ack", "{\"ids\":[\"" + delivered + "\",\"" + partition + "-999\"]}");
        assertThat(never.status()).as(never.body()).isEqualTo(400);
        assertThat(never.body()).contains("999");
        assertThat(settle(topic, "s", "ack", "{\"ids\":[\"7-0\"]}").status()).as("no partition 7").isEqualTo(404);
        assertThat(settle(topic, "s", "nack", "{\"ids\":[\"" + delivered + "\"],\"requeue\":\"yes\"}").status()).isEqualTo(400);
        JsonNode view = api.get(sub(topic, "s")).json();
        long unacked = 0;
        for (JsonNode p : view.get("partitions")) {
            unacked += p.get("unacked").asLong();
        }
        assertThat(unacked).as("the refused ack acked nothing: %s", view).isEqualTo(got.size());

        declare(topic, "g", "{\"type\":\"group\",\"startAt\":\"earliest\"}");
        Api.Response groupNack = settle(topic, "g", "nack", "{\"ids\":[\"0-0\"]}");
        assertThat(groupNack.status()).as(groupNack.body()).isEqualTo(400);
        assertThat(groupNack.body()).contains("shared");
    }

    @Test
    void deletingTheSubscriptionEndsItsConsumersAndItsAckState() throws Exception {
        String topic = "shared-delete";
        topic(topic, 1);
        declare(topic, "jobs", "{\"type\":\"shared\",\"startAt\":\"earliest\"}");
        Published.batch(api, topic, 3, 3);
        try (WsClient ws = WsClient.open(api.http(), api.base(), "/ws/v1/vhosts/default/topics/" + topic + "/subscriptions/jobs")) {
            assertThat(ws.take(3, Duration.ofSeconds(30))).hasSize(3);
            assertThat(api.delete(sub(topic, "jobs")).status()).isEqualTo(204);
            WsClient.Ending end = ws.awaitEnding(Duration.ofSeconds(30));
            assertThat(end.error()).as("a close frame, not a broken connection").isNull();
            assertThat(end.code()).isEqualTo(1008);
        }
        declare(topic, "jobs", "{\"type\":\"shared\",\"startAt\":\"earliest\"}");
        List<JsonNode> again = poll(topic, "jobs", 10, 5000);
        assertThat(again).extracting(m -> m.get("deliveryCount").asInt()).as("declared anew: nothing of the old state")
                .containsExactly(1, 1, 1);
    }
}
