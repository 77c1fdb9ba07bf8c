package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Broadcast subscriptions (RocketMQ's broadcasting) through the real cluster: every named
 * consumer receives every message of every partition, each keeps its own position (an ack of
 * one moves nothing of the other), the subscription view shows each consumer's position, and
 * a consumer without a name, or a name on a group, is refused.
 */
class BroadcastClusterTest {
    static final String V = "/api/v1/vhosts/default";
    static Api api;

    @BeforeAll
    static void start() {
        api = TestCluster.get().api();
    }

    static String events(String topic, String sub, String consumer) {
        return V + "/topics/" + topic + "/subscriptions/" + sub + "/events" + (consumer == null ? "" : "?consumer=" + consumer);
    }

    /** The ids ("p-offset") of the next {@code n} messages the consumer is given. */
    static List<String> take(SseClient sse, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (SseClient.Event e : sse.take(n, Duration.ofSeconds(30))) {
            ids.add(Api.JSON.readTree(e.data()).get("id").asString());
        }
        return ids;
    }

    @Test
    void everyConsumerGetsEverythingAndKeepsItsOwnPosition() throws Exception {
        String topic = "broadcast";
        api.topicWithSubscription(topic, 2, null);
        Api.Response declared = api.put(V + "/topics/" + topic + "/subscriptions/all", "{\"type\":\"broadcast\",\"startAt\":\"earliest\"}");
        assertThat(declared.status()).as(declared.body()).isEqualTo(201);
        Published first = Published.batch(api, topic, 20, 7);
        Set<String> published = new HashSet<>();
        first.messages.forEach(m -> published.add(m.partition() + "-" + m.offset()));
        assertThat(first.messages.stream().map(Published.Message::partition).distinct()).as("both partitions used").hasSize(2);

        try (SseClient a = SseClient.open(api.http(), api.uri(events(topic, "all", "a")), null);
             SseClient b = SseClient.open(api.http(), api.uri(events(topic, "all", "b")), null)) {
            assertThat(new HashSet<>(take(a, 20))).as("consumer a").isEqualTo(published);
            assertThat(new HashSet<>(take(b, 20))).as("consumer b").isEqualTo(published);
        }
        // a acknowledges everything it got; b acknowledges nothing.
        Map<Integer, Long> lastOffset = new TreeMap<>();
        first.messages.forEach(m -> lastOffset.merge(m.partition(), m.offset(), Math::max));
        List<String> ids = lastOffset.entrySet().stream().map(e -> "\"" + e.getKey() + "-" + e.getValue() + "\"").toList();
        Api.Response ack = api.postJson(V + "/topics/" + topic + "/subscriptions/all/ack?consumer=a", "{\"ids\":" + ids + "}");
        assertThat(ack.status()).as(ack.body()).isEqualTo(200);

        Published second = Published.batch(api, topic, 6, 7);
        Set<String> later = new HashSet<>();
        second.messages.forEach(m -> later.add(m.partition() + "-" + m.offset()));
        try (SseClient a = SseClient.open(api.http(), api.uri(events(topic, "all", "a")), null)) {
            assertThat(new HashSet<>(take(a, 6))).as("a resumes after what it acknowledged").isEqualTo(later);
        }
        try (SseClient b = SseClient.open(api.http(), api.uri(events(topic, "all", "b")), null)) {
            Set<String> again = new HashSet<>(take(b, 26));
            Set<String> everything = new HashSet<>(published);
            everything.addAll(later);
            assertThat(again).as("b acknowledged nothing: everything again").isEqualTo(everything);
        }

        JsonNode view = api.get(V + "/topics/" + topic + "/subscriptions/all").json();
        assertThat(view.get("type").asString()).isEqualTo("broadcast");
        for (JsonNode p : view.get("partitions")) {
            int partition = p.get("partition").asInt();
            assertThat(p.get("consumers").get("a").get("committedOffset").asLong()).as("a's position on %d", partition)
                    .isEqualTo(lastOffset.get(partition) + 1);
            assertThat(p.get("consumers").has("b")).as("b committed nothing").isFalse();
        }
    }

    @Test
    void consumersAreNamedOnBroadcastAndAnonymousOnGroups() throws Exception {
        String topic = "broadcast-names";
        api.topicWithSubscription(topic, 1, "members");
        assertThat(api.put(V + "/topics/" + topic + "/subscriptions/fan", "{\"type\":\"broadcast\"}").status()).isEqualTo(201);
        for (String path : List.of(events(topic, "fan", null), events(topic, "fan", "bad%20name"), events(topic, "members", "x"))) {
            Api.Response r = api.get(path);
            assertThat(r.status()).as("%s -> %s", path, r.body()).isEqualTo(400);
            assertThat(r.contentType()).contains("application/problem+json");
        }
        // Over WebSocket: an error frame, then close 1008 (the request can never succeed as it is).
        try (WsClient ws = WsClient.open(api.http(), api.base(), "/ws/v1/vhosts/default/topics/" + topic + "/subscriptions/fan")) {
            WsClient.Ending end = ws.awaitEnding(Duration.ofSeconds(30));
            assertThat(end.error()).as("a close frame, not a broken connection").isNull();
            assertThat(end.code()).isEqualTo(1008);
            assertThat(ws.poll(Duration.ofSeconds(1))).contains("\"error\"").contains("consumer");
        }
        Api.Response seek = api.put(V + "/topics/" + topic + "/subscriptions/fan/cursor", "\"earliest\"");
        assertThat(seek.status()).as(seek.body()).isEqualTo(400);
        Api.Response maxDeliveries = api.put(V + "/topics/" + topic + "/subscriptions/fan2", "{\"type\":\"broadcast\",\"maxDeliveries\":2}");
        assertThat(maxDeliveries.status()).as(maxDeliveries.body()).isEqualTo(400);
    }

    static List<String> pollIds(String topic, String sub, String query) {
        Api.Response r = api.post(V + "/topics/" + topic + "/subscriptions/" + sub + "/poll?" + query, "application/json", new byte[0]);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.json().get("messages").forEach(m -> ids.add(m.get("id").asString()));
        return ids;
    }

    @Test
    void pollReadsFromTheConsumersPositionUntilItAcknowledgesAndLongPollsWhenThereIsNothing() throws Exception {
        String topic = "broadcast-poll";
        api.topicWithSubscription(topic, 2, "members");
        assertThat(api.put(V + "/topics/" + topic + "/subscriptions/pull", "{\"type\":\"broadcast\",\"startAt\":\"earliest\"}")
                .status()).isEqualTo(201);
        Published first = Published.batch(api, topic, 10, 5);

        List<String> four = pollIds(topic, "pull", "consumer=p&max=4");
        assertThat(four).hasSize(4);
        assertThat(pollIds(topic, "pull", "consumer=p&max=4")).as("a poll moves nothing").isEqualTo(four);
        List<String> all = pollIds(topic, "pull", "consumer=p&max=100");
        Set<String> published = new HashSet<>();
        first.messages.forEach(m -> published.add(m.partition() + "-" + m.offset()));
        assertThat(new HashSet<>(all)).isEqualTo(published).hasSize(10);
        assertThat(pollIds(topic, "pull", "consumer=q&max=100")).as("another consumer, its own position").hasSize(10);

        Map<Integer, Long> last = new TreeMap<>();
        first.messages.forEach(m -> last.merge(m.partition(), m.offset(), Math::max));
        List<String> ids = last.entrySet().stream().map(e -> "\"" + e.getKey() + "-" + e.getValue() + "\"").toList();
        assertThat(api.postJson(V + "/topics/" + topic + "/subscriptions/pull/ack?consumer=p", "{\"ids\":" + ids + "}").status())
                .isEqualTo(200);
        assertThat(pollIds(topic, "pull", "consumer=p")).as("after the ack").isEmpty();
        assertThat(pollIds(topic, "pull", "consumer=q")).as("q did not ack").hasSize(10);

        // A long poll answers as soon as a message arrives.
        java.util.concurrent.CompletableFuture<List<String>> waiting =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> pollIds(topic, "pull", "consumer=p&waitMs=20000"));
        Published later = Published.batch(api, topic, 1, 5);
        List<String> arrived = waiting.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(arrived).containsExactly(later.messages.get(0).partition() + "-" + later.messages.get(0).offset());

        for (String bad : List.of("consumer=p&max=0", "consumer=p&max=1001", "consumer=p&max=0x10", "consumer=p&waitMs=30001", "max=5")) {
            Api.Response r = api.post(V + "/topics/" + topic + "/subscriptions/pull/poll?" + bad, "application/json", new byte[0]);
            assertThat(r.status()).as("%s -> %s", bad, r.body()).isEqualTo(400);
        }
        Api.Response group = api.post(V + "/topics/" + topic + "/subscriptions/members/poll", "application/json", new byte[0]);
        assertThat(group.status()).as(group.body()).isEqualTo(400);
        assertThat(group.json().get("detail").asString()).contains("SSE or WebSocket");
    }

    @Test
    void deletingABroadcastSubscriptionEndsItsConsumersWithAnError() throws Exception {
        String topic = "broadcast-delete";
        api.topicWithSubscription(topic, 1, null);
        assertThat(api.put(V + "/topics/" + topic + "/subscriptions/fan", "{\"type\":\"broadcast\",\"startAt\":\"earliest\"}")
                .status()).isEqualTo(201);
        Published.batch(api, topic, 3, 1);
        try (SseClient a = SseClient.open(api.http(), api.uri(events(topic, "fan", "a")), null)) {
            assertThat(take(a, 3)).hasSize(3);
            assertThat(api.delete(V + "/topics/" + topic + "/subscriptions/fan").status()).isEqualTo(204);
            // No heartbeat tells a broadcast consumer: it ends because it watches the metadata.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.takeEvents(1, Duration.ofSeconds(30)))
                    .hasMessageContaining("error event").hasMessageContaining("not-found");
        }
    }
}
