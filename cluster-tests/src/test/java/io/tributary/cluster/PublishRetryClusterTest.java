package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Retries at every hop never store twice: routing's retry of an append whose answer was lost
 * (the batch's producer sequence is recognised), a client's retry of a request with the same
 * Idempotency-Key (same results, nothing new stored; another body with the key is a 422), and
 * a batch half stored because a leader was down (503 partially-stored naming what was stored;
 * the retry with the key completes it exactly once).
 */
class PublishRetryClusterTest {
    static TestCluster cluster;
    static Api api;
    static final String V = "/api/v1/vhosts/default";

    @BeforeAll
    static void start() {
        cluster = TestCluster.get();
        api = cluster.api();
    }

    static int partitionLedBy(String topic, String node) {
        for (JsonNode p : api.get(V + "/topics/" + topic).json().get("partitions")) {
            if (p.get("leader").asString().equals(node)) {
                return p.get("partition").asInt();
            }
        }
        throw new AssertionError(node + " leads no partition of " + topic);
    }

    static long endOffset(String topic, int partition) {
        return api.get(V + "/topics/" + topic).json().get("partitions").get(partition).get("endOffset").asLong();
    }

    static Api.Response publish(String topic, String body, String idempotencyKey) {
        try {
            HttpRequest.Builder b = api.authorized(HttpRequest.newBuilder(URI.create(api.base() + V + "/topics/" + topic + "/messages")))
                    .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (idempotencyKey != null) {
                b.header("Idempotency-Key", idempotencyKey);
            }
            HttpResponse<String> r = api.http().send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Api.Response(r.statusCode(), r.headers().map(), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every payload in a partition from offset 0, in order. */
    static List<String> payloads(String topic, int partition) {
        JsonNode page = api.get(V + "/topics/" + topic + "/partitions/" + partition + "/messages?offset=0&limit=1000").json();
        List<String> out = new ArrayList<>();
        for (JsonNode m : page.get("messages")) {
            out.add(m.get("payload").toString());
        }
        return out;
    }

    @Test
    void anAppendWhoseAnswerWasLostIsRetriedByRoutingAndStoredOnce() {
        String topic = "lost-answer";
        assertThat(api.put(V + "/topics/" + topic, "{\"partitions\":3}").status()).isIn(200, 201);
        int p = partitionLedBy(topic, TestCluster.PROXIED_NODE);
        assertThat(publish(topic, "{\"partition\":" + p + ",\"payload\":\"warm-up\"}", null).status()).isEqualTo(200);
        int lostBefore = cluster.proxy().answersLost();

        cluster.proxy().loseNextAppendAnswer();
        // No message ids and no Idempotency-Key: only the producer sequence can tell the retry apart.
        String batch = "[{\"partition\":" + p + ",\"payload\":\"a\"},{\"partition\":" + p + ",\"payload\":\"b\"},"
                + "{\"partition\":" + p + ",\"payload\":\"c\"}]";
        Api.Response r = publish(topic, batch, null);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(cluster.proxy().answersLost()).as("the first answer was really lost").isEqualTo(lostBefore + 1);
        JsonNode results = r.json().get("results");
        assertThat(results.get(0).get("offset").asLong()).isEqualTo(1);
        assertThat(results.get(2).get("offset").asLong()).isEqualTo(3);
        assertThat(endOffset(topic, p)).as("stored once, not twice").isEqualTo(4);
        assertThat(payloads(topic, p)).containsExactly("\"warm-up\"", "\"a\"", "\"b\"", "\"c\"");
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyStoresNothingNewAndAnswersTheSameResults() {
        String topic = "idem-retry";
        assertThat(api.put(V + "/topics/" + topic, "{\"partitions\":3}").status()).isIn(200, 201);
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 12; i++) {
            body.append(i == 0 ? "" : ",").append("{\"payload\":{\"n\":").append(i).append("}}");
        }
        body.append(']');
        Api.Response first = publish(topic, body.toString(), "order-7731");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        long[] ends = {endOffset(topic, 0), endOffset(topic, 1), endOffset(topic, 2)};
        assertThat(ends[0] + ends[1] + ends[2]).isEqualTo(12);

        Api.Response retry = publish(topic, body.toString(), "order-7731");
        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        assertThat(retry.json().get("results")).isEqualTo(first.json().get("results"));
        assertThat(new long[] {endOffset(topic, 0), endOffset(topic, 1), endOffset(topic, 2)}).isEqualTo(ends);

        Api.Response other = publish(topic, "{\"payload\":\"something else\"}", "order-7731");
        assertThat(other.status()).as(other.body()).isEqualTo(422);
        assertThat(other.contentType()).startsWith("application/problem+json");
        assertThat(other.problemType()).isEqualTo("idempotency-key-reused");
        assertThat(new long[] {endOffset(topic, 0), endOffset(topic, 1), endOffset(topic, 2)}).isEqualTo(ends);

        Api.Response bad = publish(topic, "{\"payload\":1}", "");
        assertThat(bad.status()).isEqualTo(400);
    }

    @Test
    void aBatchHalfStoredWhileALeaderIsDownIsNamedAndCompletedExactlyOnceByTheRetry() throws Exception {
        String topic = "half-stored";
        // Unreplicated, so that the partition of the killed node has no other replica to fail over to.
        assertThat(api.put(V + "/topics/" + topic, "{\"partitions\":3,\"replicationFactor\":1}").status()).isIn(200, 201);
        String down = cluster.layout().storageNodes().get(1).name();
        int deadPartition = partitionLedBy(topic, down);
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 30; i++) {
            body.append(i == 0 ? "" : ",").append("{\"partition\":").append(i % 3).append(",\"payload\":\"m").append(i).append("\"}");
        }
        body.append(']');

        cluster.launcher().kill(down);
        Api.Response partial;
        try {
            partial = publish(topic, body.toString(), "half-1");
        } finally {
            cluster.launcher().start(down);
        }
        assertThat(partial.status()).as(partial.body()).isEqualTo(503);
        assertThat(partial.problemType()).isEqualTo("partially-stored");
        assertThat(partial.headers()).containsKey("retry-after");
        JsonNode results = partial.json().get("results");
        assertThat(results.size()).isEqualTo(30);
        Map<Integer, Long> storedFirst = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            JsonNode r = results.get(i);
            assertThat(r.get("partition").asInt()).isEqualTo(i % 3);
            if (i % 3 == deadPartition) {
                assertThat(r.has("offset")).as("message %d: %s", i, r).isFalse();
                assertThat(r.get("error").get("type").asString()).isEqualTo("unavailable");
            } else {
                assertThat(r.get("offset").isIntegralNumber()).as("message %d: %s", i, r).isTrue();
                storedFirst.put(i, r.get("offset").asLong());
            }
        }
        assertThat(storedFirst).hasSize(20);

        cluster.launcher().awaitReady(down);
        Api.Response retry = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            retry = publish(topic, body.toString(), "half-1");
            if (retry.status() == 200) {
                break;
            }
            Thread.sleep(250);
        }
        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        JsonNode completed = retry.json().get("results");
        storedFirst.forEach((i, offset) -> assertThat(completed.get(i).get("offset").asLong()).as("message %d", i).isEqualTo(offset));
        for (int partition = 0; partition < 3; partition++) {
            List<String> expected = new ArrayList<>();
            for (int i = partition; i < 30; i += 3) {
                expected.add("\"m" + i + "\"");
            }
            assertThat(payloads(topic, partition)).as("partition %d holds each message exactly once", partition)
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }
}
