package io.tributary.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Delayed-message lateness through the real cluster: 10,000 messages (100 bytes, 3 partitions,
 * replicationFactor 3, acks=all) published with deliverAt times spread over a few seconds, all
 * pending at once, read by one group WebSocket consumer; lateness is the time a message
 * arrives at the consumer minus its deliverAt (its {@code x-deliver-at} header). The same run
 * repeats with the delays spread over one second (10,000 due within a second).
 */
final class DelayBench {
    private static final Pattern DUE = Pattern.compile("\"x-deliver-at\":\"(\\d+)\"");

    private final Path data;
    private final boolean quick;

    DelayBench(Path data, boolean quick) {
        this.data = data;
        this.quick = quick;
    }

    void run() throws Exception {
        int messages = 10_000;
        System.out.printf("Delayed delivery benchmark (%s), %d cores, Java %s%n", quick ? "quick" : "full",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try (BenchCluster cluster = BenchCluster.start(data, 2)) {
            HttpClient http = HttpLoad.client();
            String gw = cluster.vhostUrl();
            HttpLoad.send(http, "PUT", gw + "/topics/later", "{\"partitions\":3,\"replicationFactor\":3,\"minInSyncReplicas\":2}");
            String ws = cluster.layout.gatewayUrl().replaceFirst("^http", "ws") + "/ws/v1/vhosts/default/topics/later/subscriptions/";
            Report.section(messages + " delayed messages pending at once, one WebSocket consumer (lateness = arrival - deliverAt)");
            int run = 0;
            lateness(http, gw, ws, "warm" + run++, messages, 2000); // warm-up: the JIT, not the figures
            int[] spreads = quick ? new int[] {3000} : new int[] {3000, 1000, 10_000};
            for (int spread : spreads) {
                long[] l = lateness(http, gw, ws, "d" + run++, messages, spread);
                Report.row(String.format("due over %,d ms", spread), String.format("p50 %d ms, p99 %d ms, p99.9 %d ms, max %d ms, "
                        + "early %d", l[0], l[1], l[2], l[3], l[4]));
            }
            long[] ref = undelayed(http, gw, ws, "ref" + run++, quick ? 3000 : 10_000);
            Report.row("reference: not delayed, 1,000/s, arrival - publish", String.format("p50 %d ms, p99 %d ms, p99.9 %d ms, "
                    + "max %d ms", ref[0], ref[1], ref[2], ref[3]));
        }
    }

    /**
     * The same consumer path without delays: messages published 10 every 10 ms, each carrying
     * its send time as payload; p50, p99, p99.9 and max of arrival minus send time.
     */
    private static long[] undelayed(HttpClient http, String gw, String ws, String sub, int messages) throws Exception {
        HttpLoad.send(http, "PUT", gw + "/topics/later/subscriptions/" + sub, "{\"type\":\"group\",\"startAt\":\"latest\"}");
        Arrivals arrivals = Arrivals.open(http, ws + sub, Pattern.compile("\"payload\":(\\d+)"), messages);
        awaitAssigned(http, gw, sub);
        long start = System.nanoTime();
        for (int i = 0; i < messages; i += 10) {
            long due = start + (i / 10) * 10_000_000L;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            StringBuilder body = new StringBuilder("[");
            long now = System.currentTimeMillis();
            for (int j = 0; j < 10; j++) {
                body.append(j == 0 ? "" : ",").append("{\"key\":\"k").append(j).append("\",\"payload\":").append(now).append('}');
            }
            HttpLoad.send(http, "POST", gw + "/topics/later/messages", body.append(']').toString());
        }
        List<Long> sorted = arrivals.await(sub);
        int n = sorted.size();
        return new long[] {sorted.get(n / 2), sorted.get(n * 99 / 100), sorted.get(n * 999 / 1000), sorted.get(n - 1)};
    }

    /** p50, p99, p99.9, max lateness and the count delivered early, for one batch of delayed messages. */
    private static long[] lateness(HttpClient http, String gw, String ws, String sub, int messages, int spreadMs) throws Exception {
        HttpLoad.send(http, "PUT", gw + "/topics/later/subscriptions/" + sub, "{\"type\":\"group\",\"startAt\":\"latest\"}");
        Arrivals arrivals = Arrivals.open(http, ws + sub, DUE, messages);
        awaitAssigned(http, gw, sub);
        long base = System.currentTimeMillis() + 4000;
        String pad = "x".repeat(80);
        for (int from = 0; from < messages; from += 1000) {
            StringBuilder body = new StringBuilder("[");
            for (int i = from; i < from + 1000; i++) {
                long at = base + (i * 7919L) % spreadMs;
                body.append(i == from ? "" : ",").append("{\"key\":\"k").append(i % 100).append("\",\"deliverAt\":").append(at)
                        .append(",\"payload\":\"").append(pad).append("\"}");
            }
            HttpLoad.send(http, "POST", gw + "/topics/later/messages", body.append(']').toString());
        }
        if (System.currentTimeMillis() > base) {
            throw new IllegalStateException("publishing took longer than the lead time: the figures would be meaningless");
        }
        List<Long> sorted = arrivals.await(sub);
        long early = sorted.stream().filter(v -> v < 0).count();
        int n = sorted.size();
        return new long[] {sorted.get(n / 2), sorted.get(n * 99 / 100), sorted.get(n * 999 / 1000), sorted.get(n - 1), early};
    }

    /** Waits until the subscription's one member acts on its assignment (the group is no longer rebalancing). */
    private static void awaitAssigned(HttpClient http, String gw, String sub) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String view = http.send(BenchCluster.request(gw + "/topics/later/subscriptions/" + sub).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (view.contains("\"members\":[\"") && view.contains("\"rebalancing\":false")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(sub + ": the consumer never got its partitions");
    }

    /**
     * One WebSocket consumer that takes, of each message frame, a time (epoch ms) that
     * {@code pattern}'s first group finds in it, and keeps arrival minus that time.
     */
    private static final class Arrivals implements WebSocket.Listener {
        private final Pattern pattern;
        private final List<Long> late = new ArrayList<>();
        private final CountDownLatch all;
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        private Arrivals(Pattern pattern, int messages) {
            this.pattern = pattern;
            this.all = new CountDownLatch(messages);
        }

        static Arrivals open(HttpClient http, String url, Pattern pattern, int messages) throws Exception {
            Arrivals a = new Arrivals(pattern, messages);
            a.socket = http.newWebSocketBuilder().header("Authorization", BenchCluster.bearer()).buildAsync(URI.create(url + "?credit=100000"), a).get(10, TimeUnit.SECONDS);
            return a;
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence d, boolean last) {
            partial.append(d);
            if (last) {
                Matcher m = pattern.matcher(partial);
                if (m.find()) {
                    synchronized (late) {
                        late.add(System.currentTimeMillis() - Long.parseLong(m.group(1)));
                    }
                    all.countDown();
                }
                partial.setLength(0);
            }
            w.request(1);
            return null;
        }

        /** Every message's lateness, sorted, once all came; then the socket is closed. */
        List<Long> await(String what) throws Exception {
            if (!all.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException(what + ": " + all.getCount() + " messages never came");
            }
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            List<Long> sorted;
            synchronized (late) {
                sorted = new ArrayList<>(late);
            }
            sorted.sort(Long::compare);
            return sorted;
        }
    }
}
