package io.tributary.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replication, end to end through the real cluster (separate processes, HTTP): (1) batched
 * publish throughput to a topic with three replicas and acks=all against one with a single
 * replica, in the same run, alternating; (2) the time from kill -9 of a partition's leader to
 * the first acknowledged acks=all publish on that partition, over ten kills (the killed node
 * is restarted and back in sync before the next).
 */
final class ReplicationBench {
    private static final Pattern LEADER = Pattern.compile("\"leader\":\"([^\"]+)\"");
    private static final Pattern ISR = Pattern.compile("\"isr\":\\[([^\\]]*)\\]");

    private final Path data;
    private final boolean quick;

    ReplicationBench(Path data, boolean quick) {
        this.data = data;
        this.quick = quick;
    }

    void run() throws Exception {
        System.out.printf("Replication benchmark (%s), %d cores, Java %s%n", quick ? "quick" : "full",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try (BenchCluster cluster = BenchCluster.start(data, 2)) {
            HttpClient http = HttpLoad.client();
            throughput(cluster, http);
            failover(cluster, http);
        }
    }

    private void throughput(BenchCluster cluster, HttpClient http) throws Exception {
        Report.section("Publish throughput: replicationFactor 3 with acks=all vs replicationFactor 1 (100 x 100-byte messages "
                + "per request, 16 in flight)");
        String gw = cluster.vhostUrl();
        HttpLoad.send(http, "PUT", gw + "/topics/rf3", "{\"partitions\":3,\"replicationFactor\":3,\"minInSyncReplicas\":2}");
        HttpLoad.send(http, "PUT", gw + "/topics/rf1", "{\"partitions\":3,\"replicationFactor\":1}");
        String body = body(100);
        Duration warm = Duration.ofSeconds(quick ? 15 : 60);
        Duration run = Duration.ofSeconds(quick ? 8 : 10);
        HttpLoad.requestsPerSecond(http, gw + "/topics/rf3/messages?acks=all", body, warm.dividedBy(2), 16);
        HttpLoad.requestsPerSecond(http, gw + "/topics/rf1/messages?acks=all", body, warm.dividedBy(2), 16);
        List<Double> rf3 = new ArrayList<>();
        List<Double> rf1 = new ArrayList<>();
        for (int round = 0; round < (quick ? 3 : 5); round++) {
            rf3.add(HttpLoad.requestsPerSecond(http, gw + "/topics/rf3/messages?acks=all", body, run, 16) * 100);
            rf1.add(HttpLoad.requestsPerSecond(http, gw + "/topics/rf1/messages?acks=all", body, run, 16) * 100);
        }
        Report.row("replicationFactor 3, acks=all", String.format("%,.0f messages/s (median of %s)", HttpLoad.median(rf3),
                HttpLoad.rounded(rf3)));
        Report.row("replicationFactor 1", String.format("%,.0f messages/s (median of %s)", HttpLoad.median(rf1),
                HttpLoad.rounded(rf1)));
        Report.row("rf3 / rf1", Report.ratio(HttpLoad.median(rf3), HttpLoad.median(rf1)));
    }

    private void failover(BenchCluster cluster, HttpClient http) throws Exception {
        int kills = quick ? 3 : 10;
        Report.section("Leader killed (kill -9): time to the first acknowledged acks=all publish on its partition, " + kills + " kills");
        String gw = cluster.vhostUrl();
        HttpLoad.send(http, "PUT", gw + "/topics/failover", "{\"partitions\":1,\"replicationFactor\":3,\"minInSyncReplicas\":2}");
        AtomicBoolean running = new AtomicBoolean(true);
        List<long[]> acks = Collections.synchronizedList(new ArrayList<>()); // {start, end} of each acknowledged publish
        HttpRequest.Builder publish = BenchCluster.request(gw + "/topics/failover/messages?acks=all")
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30));
        CompletableFuture<Void> prober = CompletableFuture.runAsync(() -> {
            long n = 0;
            while (running.get()) {
                long t0 = System.nanoTime();
                try {
                    HttpResponse<Void> r = http.send(publish.POST(HttpRequest.BodyPublishers.ofString(
                            "{\"id\":\"probe-" + n + "\",\"payload\":" + n + "}")).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        acks.add(new long[] {t0, System.nanoTime()});
                        n++;
                    }
                } catch (Exception e) {
                    // retried with the same id
                }
            }
        });
        List<Long> times = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
            awaitInSync(http, gw, 3, Duration.ofMinutes(3));
            String leader = leader(http, gw);
            long killed = System.nanoTime();
            cluster.launcher.kill(leader);
            long firstAck = awaitAckStartedAfter(acks, killed, Duration.ofSeconds(60));
            times.add((firstAck - killed) / 1_000_000);
            cluster.launcher.start(leader);
            cluster.launcher.awaitReady(leader);
        }
        running.set(false);
        prober.join();
        List<Long> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        Report.row("kill -> first acknowledged publish", String.format("median %d ms, max %d ms (each: %s)",
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), times));
    }

    private static long awaitAckStartedAfter(List<long[]> acks, long after, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (acks) {
                for (long[] a : acks) {
                    if (a[0] >= after) {
                        return a[1];
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no acknowledged publish within " + within + " of a kill");
    }

    private static String topic(HttpClient http, String gw) throws Exception {
        return http.send(BenchCluster.request(gw + "/topics/failover").build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String leader(HttpClient http, String gw) throws Exception {
        Matcher m = LEADER.matcher(topic(http, gw));
        if (!m.find()) {
            throw new IllegalStateException("no leader");
        }
        return m.group(1);
    }

    private static void awaitInSync(HttpClient http, String gw, int replicas, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = ISR.matcher(topic(http, gw));
            if (m.find() && m.group(1).split(",").length == replicas) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("replicas not back in sync within " + within);
    }

    private static String body(int n) {
        StringBuilder b = new StringBuilder("[");
        String payload = "x".repeat(100);
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"key\":\"key-").append(i).append("\",\"payload\":\"").append(payload).append("\"}");
        }
        return b.append("]").toString();
    }
}
