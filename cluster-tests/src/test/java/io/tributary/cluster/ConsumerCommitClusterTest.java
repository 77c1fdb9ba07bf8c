package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.ClusterLayout;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What consumers can rely on about their committed positions and their sessions: SSE commits
 * only what the client showed it received, answers at once, WebSocket sessions on a cold
 * cluster survive (and end with a close frame), and a rebalance under traffic never moves a
 * committed position backwards nor loses a message.
 */
class ConsumerCommitClusterTest {
    static TestCluster cluster;
    static Api api;
    static final String V = "/api/v1/vhosts/default";

    @BeforeAll
    static void start() {
        cluster = TestCluster.get();
        api = cluster.api();
    }

    static Map<Integer, Long> committed(String topic, String sub) {
        JsonNode view = api.get(V + "/topics/" + topic + "/subscriptions/" + sub).json();
        Map<Integer, Long> out = new java.util.TreeMap<>();
        for (JsonNode p : view.get("partitions")) {
            JsonNode c = p.get("committedOffset");
            out.put(p.get("partition").asInt(), c == null || c.isNull() ? 0 : c.asLong());
        }
        return out;
    }

    static long sum(Map<Integer, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Opens an SSE stream on a raw socket with a tiny receive buffer, reads the headers, then stops reading. */
    static Socket stalledSseReader(String path) throws Exception {
        URI base = URI.create(api.base());
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), base.getPort()));
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + api.authorizationLine() + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] head = new byte[512];
        int n = in.read(head); // the status line and the first comment: the stream is open
        assertThat(new String(head, 0, Math.max(0, n), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        return s;
    }

    @Test
    void anSseStreamCommitsNothingTheClientDidNotShowItReceived() throws Exception {
        String topic = "sse-stall";
        api.topicWithSubscription(topic, 1, "careful");
        assertThat(api.put(V + "/topics/" + topic + "/subscriptions/hasty", "{\"type\":\"group\",\"startAt\":\"earliest\"}")
                .status()).isIn(200, 201);
        String big = "x".repeat(200_000);
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 30; i++) {
            body.append(i == 0 ? "" : ",").append("{\"payload\":{\"n\":").append(i).append(",\"pad\":\"").append(big).append("\"}}");
        }
        body.append(']');
        assertThat(api.postJson(V + "/topics/" + topic + "/messages", body.toString()).status()).isEqualTo(200);

        // Two stalled readers: one with the default (commit what the client shows), one opting into autoCommit.
        try (Socket careful = stalledSseReader(V + "/topics/" + topic + "/subscriptions/careful/events");
             Socket hasty = stalledSseReader(V + "/topics/" + topic + "/subscriptions/hasty/events?autoCommit=true")) {
            // The control: with autoCommit, what was written to the socket is committed although nobody read it.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (sum(committed(topic, "hasty")) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(sum(committed(topic, "hasty"))).as("autoCommit commits what it wrote").isPositive();
            assertThat(sum(committed(topic, "careful"))).as("nothing committed for the stalled default reader").isZero();
        }
        // Reconnect without Last-Event-ID: every message is there again.
        try (SseClient again = SseClient.open(api.http(), api.uri(V + "/topics/" + topic + "/subscriptions/careful/events"), null)) {
            List<SseClient.Event> events = again.take(30, Duration.ofSeconds(60));
            for (int i = 0; i < 30; i++) {
                assertThat(Api.JSON.readTree(events.get(i).data()).get("payload").get("n").asInt()).isEqualTo(i);
            }
        }
    }

    @Test
    void aReconnectWithLastEventIdCommitsWhatTheClientSaw() throws Exception {
        String topic = "sse-resume-commit";
        api.topicWithSubscription(topic, 2, "reader");
        Published.batch(api, topic, 20, 5);
        String lastId;
        try (SseClient first = SseClient.open(api.http(), api.uri(V + "/topics/" + topic + "/subscriptions/reader/events"), null)) {
            List<SseClient.Event> seen = first.take(12, Duration.ofSeconds(30));
            lastId = seen.get(11).id();
        }
        assertThat(sum(committed(topic, "reader"))).isZero();
        try (SseClient second = SseClient.open(api.http(), api.uri(V + "/topics/" + topic + "/subscriptions/reader/events"), lastId)) {
            second.take(8, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (sum(committed(topic, "reader")) < 12 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(sum(committed(topic, "reader"))).as("the token's positions are committed").isEqualTo(12);
        }
        // An explicit ack commits the rest.
        List<String> ids = new ArrayList<>();
        for (JsonNode p : api.get(V + "/topics/" + topic).json().get("partitions")) {
            long end = p.get("endOffset").asLong();
            if (end > 0) {
                ids.add("\"" + p.get("partition").asInt() + "-" + (end - 1) + "\"");
            }
        }
        Api.Response ack = api.postJson(V + "/topics/" + topic + "/subscriptions/reader/ack", "{\"ids\":" + ids + "}");
        assertThat(ack.status()).as(ack.body()).isEqualTo(200);
        assertThat(sum(committed(topic, "reader"))).isEqualTo(20);
        Api.Response early = api.postJson(V + "/topics/" + topic + "/subscriptions/reader/ack", "{\"ids\":[\"0-1\"]}");
        assertThat(early.status()).isEqualTo(200);
        assertThat(sum(committed(topic, "reader"))).as("an ack never moves a position backwards").isEqualTo(20);
    }

    @Test
    void anIdleSseStreamAnswersAtOnce() throws Exception {
        String topic = "sse-idle";
        api.topicWithSubscription(topic, 1, "idle");
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = api.http().send(api.authorized(HttpRequest.newBuilder(api.uri(V + "/topics/" + topic + "/subscriptions/idle/events")))
                .header("accept", "text/event-stream").timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        long headersMs = (System.nanoTime() - t0) / 1_000_000;
        try (InputStream in = r.body()) {
            assertThat(r.statusCode()).isEqualTo(200);
            int first = in.read();
            long firstByteMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("idle SSE stream: headers after %d ms, first byte after %d ms%n", headersMs, firstByteMs);
            assertThat(first).as("a first comment").isEqualTo(':');
            // Keep-alives come every 15 s: an answer well before that is the stream answering at once.
            assertThat(firstByteMs).isLessThan(5_000);
        }
    }

    @Test
    void aWebSocketConsumerOnAFreshlyStartedServiceReadsAndAcksABacklog() throws Exception {
        String topic = "ws-cold";
        api.topicWithSubscription(topic, 3, "cold");
        Published published = Published.batch(api, topic, 1000, 50);
        // Cold services: the active coordinator and the gateway just restarted (kill -9), nothing warmed up.
        cluster.killAndRestart(cluster.activeCoordinator());
        cluster.killAndRestart(ClusterLayout.GATEWAY);
        List<JsonNode> got = new CopyOnWriteArrayList<>();
        String path = "/ws/v1/vhosts/default/topics/" + topic + "/subscriptions/cold?credit=2000";
        try (WsClient ws = WsClient.open(api.http(), api.base(), path, (client, frame) -> {
            JsonNode m = Api.JSON.readTree(frame);
            if (m.has("id")) {
                got.add(m);
                client.send("{\"ack\":[\"" + m.get("id").asString() + "\"]}");
            }
        })) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (got.size() < 1000 && ws.ending() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(ws.ending()).as("the server kept the session open").isNull();
            published.assertDeliveredExactlyOnceInOrder(got);
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (sum(committed(topic, "cold")) < 1000 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(sum(committed(topic, "cold"))).as("every ack committed").isEqualTo(1000);
            assertThat(ws.ending()).isNull();
        }
    }

    /** Five times over (the close used to race the connection's end): an error frame, then a 1008 close frame. */
    @Test
    void aWebSocketSessionWhoseSubscriptionCannotBeServedEndsWithACloseFrame() throws Exception {
        for (int i = 0; i < 5; i++) {
            String topic = "ws-gone-" + i;
            api.topicWithSubscription(topic, 1, "doomed");
            try (WsClient ws = WsClient.open(api.http(), api.base(), "/ws/v1/vhosts/default/topics/" + topic + "/subscriptions/doomed")) {
                ConsumerGroupClusterTest.awaitSettledGroup(api, topic, "doomed", 1);
                assertThat(api.delete(V + "/topics/" + topic).status()).isEqualTo(204);
                WsClient.Ending end = ws.awaitEnding(Duration.ofSeconds(30));
                assertThat(end.error()).as("a close frame, not a broken connection").isNull();
                assertThat(end.code()).as("round %d", i).isEqualTo(1008);
                assertThat(end.reason()).startsWith("not-found");
                String errorFrame = ws.poll(Duration.ofSeconds(1));
                assertThat(errorFrame).as("the error frame came before the close").contains("\"error\"").contains("not-found");
            }
        }
    }

    @Test
    void aRebalanceUnderTrafficNeverMovesACommittedPositionBackAndLosesNothing() throws Exception {
        String topic = "rebalance-traffic";
        api.topicWithSubscription(topic, 4, "workers");
        String path = "/ws/v1/vhosts/default/topics/" + topic + "/subscriptions/workers?credit=100000";
        Set<String> received = ConcurrentHashMap.newKeySet();
        java.util.function.BiConsumer<WsClient, String> ackEach = (client, frame) -> {
            JsonNode m = Api.JSON.readTree(frame);
            if (m.has("id")) {
                received.add(m.get("payload").get("seq").asString());
                client.send("{\"ack\":[\"" + m.get("id").asString() + "\"]}");
            }
        };
        AtomicBoolean stop = new AtomicBoolean();
        List<String> backwards = new CopyOnWriteArrayList<>();
        List<String> published = new CopyOnWriteArrayList<>();
        Thread sampler = new Thread(() -> {
            Map<Integer, Long> highest = new java.util.HashMap<>();
            while (!stop.get()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                committed(topic, "workers").forEach((p, c) -> {
                    Long before = highest.put(p, Math.max(c, highest.getOrDefault(p, 0L)));
                    if (before != null && c < before) {
                        backwards.add("partition " + p + ": " + before + " -> " + c);
                    }
                });
            }
        });
        Thread publisher = new Thread(() -> {
            int seq = 0;
            while (!stop.get()) {
                StringBuilder b = new StringBuilder("[");
                for (int i = 0; i < 10; i++, seq++) {
                    b.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(seq % 17).append("\",\"payload\":{\"seq\":\"")
                            .append(seq).append("\"}}");
                }
                Api.Response r = api.postJson(V + "/topics/" + topic + "/messages", b.append(']').toString());
                if (r.status() == 200) {
                    for (int i = seq - 10; i < seq; i++) {
                        published.add(Integer.toString(i));
                    }
                }
            }
        });
        sampler.start();
        publisher.start();
        try (WsClient a = WsClient.open(api.http(), api.base(), path, ackEach)) {
            awaitCount(received, 200);
            WsClient b = WsClient.open(api.http(), api.base(), path, ackEach);
            ConsumerGroupClusterTest.awaitSettledGroup(api, topic, "workers", 2);
            int before = received.size();
            awaitCount(received, before + 200);
            a.close();
            ConsumerGroupClusterTest.awaitSettledGroup(api, topic, "workers", 1);
            awaitCount(received, received.size() + 200);
            stop.set(true);
            publisher.join();
            sampler.join();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!received.containsAll(published) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            b.close();
        } finally {
            stop.set(true);
        }
        assertThat(published).hasSizeGreaterThan(600);
        assertThat(received).as("every published message delivered at least once").containsAll(published);
        assertThat(backwards).as("committed positions never moved backwards").isEmpty();
    }

    static void awaitCount(Set<String> set, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (set.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(set.size()).as("messages received").isGreaterThanOrEqualTo(n);
    }
}
