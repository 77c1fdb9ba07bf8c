package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code PUT .../subscriptions/{sub}/cursor} through the real cluster: every form of position,
 * backwards and forwards, a consumer that connects afterwards reads from there, and what is
 * refused (out of range with the valid range named, an unknown partition, no body, connected
 * members) moves nothing.
 */
class CursorSeekClusterTest {
    static final String V = "/api/v1/vhosts/default";
    static Api api;

    @BeforeAll
    static void start() {
        api = TestCluster.get().api();
    }

    static long committed(String topic, String sub, int partition) {
        return api.get(V + "/topics/" + topic + "/subscriptions/" + sub).json().get("partitions").get(partition)
                .path("committedOffset").asLong(-1);
    }

    static Api.Response seek(String topic, String sub, String body) {
        return api.put(V + "/topics/" + topic + "/subscriptions/" + sub + "/cursor", body);
    }

    static void awaitNoMembers(String topic, String sub) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (api.get(V + "/topics/" + topic + "/subscriptions/" + sub).json().get("members").size() > 0) {
            assertThat(System.nanoTime()).as("members gone").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** The offset of the first message an SSE consumer of {@code sub} is given. */
    static long firstDelivered(String topic, String sub) throws Exception {
        try (SseClient sse = SseClient.open(api.http(), api.uri(V + "/topics/" + topic + "/subscriptions/" + sub + "/events"), null)) {
            return Api.JSON.readTree(sse.take(1, Duration.ofSeconds(30)).get(0).data()).get("offset").asLong();
        } finally {
            awaitNoMembers(topic, sub);
        }
    }

    @Test
    void seekMovesThePositionEveryWayAndTheNextConsumerReadsFromThere() throws Exception {
        String topic = "seek";
        api.topicWithSubscription(topic, 1, "s");
        Published.batch(api, topic, 10, 3);
        JsonNode tenth = api.get(V + "/topics/" + topic + "/partitions/0/messages?offset=9&limit=1").json().get("messages").get(0);
        long lastTs = tenth.get("timestamp").asLong();
        while (System.currentTimeMillis() <= lastTs) {
            Thread.sleep(1);
        }
        Published.batch(api, topic, 10, 3);

        Api.Response r = seek(topic, "s", "{\"offset\":15}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("offsets").get("0").asLong()).isEqualTo(15);
        assertThat(committed(topic, "s", 0)).isEqualTo(15);
        assertThat(firstDelivered(topic, "s")).isEqualTo(15);

        assertThat(seek(topic, "s", "\"earliest\"").status()).isEqualTo(200);
        assertThat(committed(topic, "s", 0)).as("backwards to earliest").isZero();
        assertThat(firstDelivered(topic, "s")).isZero();

        assertThat(seek(topic, "s", "{\"position\":\"latest\"}").status()).isEqualTo(200);
        assertThat(committed(topic, "s", 0)).isEqualTo(20);

        JsonNode eleventh = api.get(V + "/topics/" + topic + "/partitions/0/messages?offset=10&limit=1").json().get("messages").get(0);
        assertThat(seek(topic, "s", "{\"timestamp\":" + eleventh.get("timestamp").asLong() + "}").status()).isEqualTo(200);
        assertThat(committed(topic, "s", 0)).as("the first message at or after the timestamp").isEqualTo(10);

        assertThat(seek(topic, "s", "{\"offsets\":{\"0\":3}}").status()).isEqualTo(200);
        assertThat(committed(topic, "s", 0)).isEqualTo(3);
    }

    @Test
    void refusedSeeksMoveNothing() throws Exception {
        String topic = "seek-refused";
        api.topicWithSubscription(topic, 2, "s");
        Published.batch(api, topic, 10, 4);
        assertThat(seek(topic, "s", "{\"offsets\":{\"0\":1,\"1\":1}}").status()).isEqualTo(200);

        Api.Response past = seek(topic, "s", "{\"offsets\":{\"0\":2,\"1\":500}}");
        assertThat(past.status()).as(past.body()).isEqualTo(416);
        assertThat(past.problemType()).isEqualTo("offset-out-of-range");
        long end1 = api.get(V + "/topics/" + topic).json().get("partitions").get(1).get("endOffset").asLong();
        assertThat(past.json().get("detail").asString()).contains("partition 1").contains("0.." + end1);
        assertThat(committed(topic, "s", 0)).as("partition 0 did not move either").isEqualTo(1);

        for (String bad : new String[] {"{\"offsets\":{\"2\":0}}", "{\"offsets\":{\"01\":0}}", "{\"offset\":-1}", "{\"when\":1}", "\"soon\""}) {
            Api.Response r = seek(topic, "s", bad);
            assertThat(r.status()).as("%s -> %s", bad, r.body()).isEqualTo(400);
            assertThat(r.contentType()).contains("application/problem+json");
        }
        Api.Response none = api.put(V + "/topics/" + topic + "/subscriptions/s/cursor", null);
        assertThat(none.status()).as(none.body()).isEqualTo(400);
        assertThat(seek(topic, "nobody", "\"earliest\"").status()).isEqualTo(404);

        try (SseClient member = SseClient.open(api.http(), api.uri(V + "/topics/" + topic + "/subscriptions/s/events"), null)) {
            member.take(1, Duration.ofSeconds(30));
            Api.Response busy = seek(topic, "s", "\"earliest\"");
            assertThat(busy.status()).as(busy.body()).isEqualTo(409);
            assertThat(busy.json().get("detail").asString()).contains("connected");
        }
        assertThat(committed(topic, "s", 0)).isEqualTo(1);
        assertThat(committed(topic, "s", 1)).isEqualTo(1);
    }

    /** Every cursor the partition's leader holds, straight from storage. */
    static JsonNode storageCursors(String topic) throws Exception {
        TestCluster cluster = TestCluster.get();
        String leader = api.get(V + "/topics/" + topic).json().get("partitions").get(0).get("leader").asString();
        String url = "http://127.0.0.1:" + cluster.layout().service(leader).port() + "/internal/partitions/default/" + topic + "/0/cursors";
        var r = api.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .header(io.tributary.protocol.cluster.ClusterToken.HEADER, TestCluster.TOKEN).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Api.JSON.readTree(r.body());
    }

    @Test
    void deletingASubscriptionRemovesItAndEveryPositionItKept() throws Exception {
        String topic = "sub-delete";
        api.topicWithSubscription(topic, 1, "g");
        assertThat(api.put(V + "/topics/" + topic + "/subscriptions/fan", "{\"type\":\"broadcast\",\"startAt\":\"earliest\"}")
                .status()).isEqualTo(201);
        Published.batch(api, topic, 10, 2);
        assertThat(api.postJson(V + "/topics/" + topic + "/subscriptions/g/ack", "{\"ids\":[\"0-6\"]}").status()).isEqualTo(200);
        assertThat(api.postJson(V + "/topics/" + topic + "/subscriptions/fan/ack?consumer=a", "{\"ids\":[\"0-4\"]}").status())
                .isEqualTo(200);
        assertThat(storageCursors(topic).propertyNames()).as("before").hasSize(3);

        for (String sub : new String[] {"g", "fan"}) {
            Api.Response gone = api.delete(V + "/topics/" + topic + "/subscriptions/" + sub);
            assertThat(gone.status()).as(gone.body()).isEqualTo(204);
            assertThat(api.get(V + "/topics/" + topic + "/subscriptions/" + sub).status()).isEqualTo(404);
            assertThat(api.delete(V + "/topics/" + topic + "/subscriptions/" + sub).status()).as("deleted twice").isEqualTo(404);
        }
        assertThat(storageCursors(topic).propertyNames()).as("no position left in storage").isEmpty();

        api.topicWithSubscription(topic, 1, "g"); // the same name again, from the earliest
        assertThat(committed(topic, "g", 0)).isZero();
        assertThat(firstDelivered(topic, "g")).isZero();
    }
}
