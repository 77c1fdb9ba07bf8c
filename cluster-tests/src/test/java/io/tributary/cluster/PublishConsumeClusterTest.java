package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Publish 1,000 keyed messages in one batch; consume them over SSE and over WebSocket. */
class PublishConsumeClusterTest {
    static Api api;

    @BeforeAll
    static void cluster() {
        api = TestCluster.get().api();
    }

    @Test
    void aThousandKeyedMessagesArriveOverSseCompleteAndInPartitionOrder() throws Exception {
        api.topicWithSubscription("pc-sse", 4, "readers");
        Published published = Published.batch(api, "pc-sse", 1000, 37);
        published.assertKeysKeepTheirPartitionAndOrder();
        assertThat(published.messages.stream().map(Published.Message::partition).distinct().count()).isEqualTo(4);

        List<JsonNode> delivered = new ArrayList<>();
        try (SseClient sse = SseClient.open(api.http(), api.uri("/api/v1/vhosts/default/topics/pc-sse/subscriptions/readers/events"), null)) {
            assertThat(sse.status).isEqualTo(200);
            for (SseClient.Event e : sse.take(1000, Duration.ofSeconds(60))) {
                assertThat(e.id()).startsWith("v2.");
                delivered.add(Api.JSON.readTree(e.data()));
            }
            assertThat(sse.anyWithin(Duration.ofSeconds(2))).as("nothing beyond the 1000").isFalse();
        }
        published.assertDeliveredExactlyOnceInOrder(delivered);
    }

    @Test
    void aThousandKeyedMessagesArriveOverWebSocketAndAcksCommit() throws Exception {
        api.topicWithSubscription("pc-ws", 3, "workers");
        Published published = Published.batch(api, "pc-ws", 1000, 50);
        String path = "/ws/v1/vhosts/default/topics/pc-ws/subscriptions/workers";

        List<JsonNode> delivered = new ArrayList<>();
        try (WsClient ws = WsClient.open(api.http(), api.base(), path + "?credit=400")) {
            for (String frame : ws.take(400, Duration.ofSeconds(60))) {
                delivered.add(Api.JSON.readTree(frame));
            }
            assertThat(ws.poll(Duration.ofSeconds(1))).as("no message beyond the 400 permits").isNull();
            ws.send("{\"credit\":600}");
            for (String frame : ws.take(600, Duration.ofSeconds(60))) {
                delivered.add(Api.JSON.readTree(frame));
            }
            published.assertDeliveredExactlyOnceInOrder(delivered);

            // Acknowledge everything: the subscription's committed positions reach every partition's end.
            List<String> ids = delivered.stream().map(d -> "\"" + d.get("id").asString() + "\"").toList();
            ws.send("{\"ack\":[" + String.join(",", ids) + "]}");
            awaitLag("pc-ws", "workers", 0);
        }
    }

    @Test
    void webSocketRefusesBadFramesWithErrorFramesAndStaysOpen() throws Exception {
        api.topicWithSubscription("pc-ws-bad", 1, "w");
        Published.batch(api, "pc-ws-bad", 3, 1);
        try (WsClient ws = WsClient.open(api.http(), api.base(), "/ws/v1/vhosts/default/topics/pc-ws-bad/subscriptions/w?credit=1")) {
            JsonNode first = Api.JSON.readTree(ws.take(1, Duration.ofSeconds(30)).get(0));
            assertThat(first.get("offset").asLong()).isZero();
            ws.send("not json");
            assertThat(Api.JSON.readTree(ws.take(1, Duration.ofSeconds(10)).get(0)).path("error").path("type").asString())
                    .isEqualTo("malformed-request");
            ws.send("{\"ack\":[\"0-2\"]}");
            assertThat(Api.JSON.readTree(ws.take(1, Duration.ofSeconds(10)).get(0)).path("error").path("detail").asString())
                    .contains("was not delivered");
            ws.send("{\"credit\":5}");
            List<String> rest = ws.take(2, Duration.ofSeconds(30));
            assertThat(Api.JSON.readTree(rest.get(1)).get("offset").asLong()).isEqualTo(2);
        }
    }

    @Test
    void aMissingSubscriptionIsRefusedBeforeTheUpgrade() {
        Api.Response r = api.get("/ws/v1/vhosts/default/topics/nope/subscriptions/none");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    static void awaitLag(String topic, String sub, long lag) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        JsonNode view = null;
        while (System.currentTimeMillis() < deadline) {
            view = api.get("/api/v1/vhosts/default/topics/" + topic + "/subscriptions/" + sub).json();
            boolean done = true;
            for (JsonNode p : view.get("partitions")) {
                done &= p.path("lag").asLong(-1) == lag;
            }
            if (done) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("lag never reached " + lag + ": " + view);
    }
}
