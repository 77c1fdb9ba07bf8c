package io.tributary.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Consumption end to end through the real cluster: a backlog of messages on a three-partition
 * topic with three replicas is drained (1) by one group consumer over WebSocket (cumulative
 * acks), (2) by one and by three shared consumers over WebSocket, every message acked by
 * itself (ids batched into ack frames of 100), (3) by HTTP polls of a shared subscription
 * (poll 500, ack their ids). Each run reads the same backlog through a new subscription.
 */
final class ConsumptionBench {
    private static final Pattern ID = Pattern.compile("\"id\":\"(\\d+-\\d+)\"");

    private final Path data;
    private final boolean quick;

    ConsumptionBench(Path data, boolean quick) {
        this.data = data;
        this.quick = quick;
    }

    void run() throws Exception {
        int messages = quick ? 20_000 : 100_000;
        System.out.printf("Consumption benchmark (%s), %d cores, Java %s%n", quick ? "quick" : "full",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try (BenchCluster cluster = BenchCluster.start(data, 2)) {
            HttpClient http = HttpLoad.client();
            String gw = cluster.vhostUrl();
            HttpLoad.send(http, "PUT", gw + "/topics/work", "{\"partitions\":3,\"replicationFactor\":3,\"minInSyncReplicas\":2}");
            publish(http, gw, messages);
            Report.section("Draining " + messages + " messages of 100 bytes (3 partitions, replicationFactor 3)");
            String ws = cluster.layout.gatewayUrl().replaceFirst("^http", "ws") + "/ws/v1/vhosts/default/topics/work/subscriptions/";
            int run = 0;
            // A warm-up drain first: the JIT and the page cache, not the figures.
            drainWs(http, gw, ws, "warm" + run++, "group", 1, messages);
            Report.row("group, 1 WebSocket consumer, cumulative acks", rate(drainWs(http, gw, ws, "g" + run++, "group", 1, messages), messages));
            Report.row("shared, 1 WebSocket consumer, per-message acks", rate(drainWs(http, gw, ws, "s" + run++, "shared", 1, messages), messages));
            Report.row("shared, 3 WebSocket consumers, per-message acks", rate(drainWs(http, gw, ws, "s" + run++, "shared", 3, messages), messages));
            Report.row("shared, 1 HTTP poller (poll 500, ack them)", rate(drainPoll(http, gw, "p" + run++, 1, messages), messages));
            Report.row("shared, 3 HTTP pollers", rate(drainPoll(http, gw, "p" + run++, 3, messages), messages));
        }
    }

    private static String rate(long nanos, int messages) {
        return Report.perSecond(messages, nanos, "messages") + String.format(" (%.1f s)", nanos / 1e9);
    }

    private static void publish(HttpClient http, String gw, int messages) throws Exception {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 500; i++) {
            body.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"payload\":\"").append("x".repeat(100)).append("\"}");
        }
        String batch = body.append(']').toString();
        for (int sent = 0; sent < messages; sent += 500) {
            HttpLoad.send(http, "POST", gw + "/topics/work/messages", batch);
        }
    }

    private static void declare(HttpClient http, String gw, String sub, String type) throws Exception {
        HttpLoad.send(http, "PUT", gw + "/topics/work/subscriptions/" + sub, "{\"type\":\"" + type + "\",\"startAt\":\"earliest\"}");
    }

    /** Time for {@code consumers} WebSocket consumers of a new subscription to receive and ack every message. */
    private static long drainWs(HttpClient http, String gw, String ws, String sub, String type, int consumers, int messages)
            throws Exception {
        declare(http, gw, sub, type);
        AtomicLong received = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        long t0 = System.nanoTime();
        List<WebSocket> sockets = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            sockets.add(http.newWebSocketBuilder().header("Authorization", BenchCluster.bearer()).buildAsync(URI.create(ws + sub + "?credit=1000"),
                    new Acker(received, messages, all)).get(10, TimeUnit.SECONDS));
        }
        if (!all.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException(sub + ": received " + received.get() + " of " + messages);
        }
        long ns = System.nanoTime() - t0;
        for (WebSocket s : sockets) {
            s.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
        return ns;
    }

    /** Acks each message by id, 100 ids a frame, and grants a permit for each. */
    private static final class Acker implements WebSocket.Listener {
        private final AtomicLong received;
        private final int total;
        private final CountDownLatch all;
        private final List<String> pending = new ArrayList<>();
        private final StringBuilder partial = new StringBuilder();

        Acker(AtomicLong received, int total, CountDownLatch all) {
            this.received = received;
            this.total = total;
            this.all = all;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                Matcher m = ID.matcher(partial);
                if (m.find()) {
                    pending.add(m.group(1));
                    if (received.incrementAndGet() >= total) {
                        all.countDown();
                    }
                }
                partial.setLength(0);
                if (pending.size() >= 100 || received.get() >= total) {
                    String ids = String.join("\",\"", pending);
                    ws.sendText("{\"ack\":[\"" + ids + "\"]}", true).join();
                    ws.sendText("{\"credit\":" + pending.size() + "}", true).join();
                    pending.clear();
                }
            }
            ws.request(1);
            return null;
        }
    }

    /** Time for {@code pollers} HTTP pollers of a new shared subscription to poll and ack every message. */
    private static long drainPoll(HttpClient http, String gw, String sub, int pollers, int messages) throws Exception {
        declare(http, gw, sub, "shared");
        AtomicLong acked = new AtomicLong();
        String base = gw + "/topics/work/subscriptions/" + sub;
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < pollers; w++) {
            workers.add(CompletableFuture.runAsync(() -> {
                while (acked.get() < messages) {
                    try {
                        HttpResponse<String> r = http.send(BenchCluster.request(base + "/poll?max=500&waitMs=1000")
                                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                        List<String> ids = new ArrayList<>();
                        Matcher m = ID.matcher(r.body());
                        while (m.find()) {
                            ids.add(m.group(1));
                        }
                        if (ids.isEmpty()) {
                            continue;
                        }
                        HttpLoad.send(http, "POST", base + "/ack", "{\"ids\":[\"" + String.join("\",\"", ids) + "\"]}");
                        acked.addAndGet(ids.size());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        return System.nanoTime() - t0;
    }
}
