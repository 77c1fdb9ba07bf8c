package io.tributary.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Moving a partition while live traffic runs: a 1 GB partition (quick: 100 MB; one replica) is
 * moved from storage-1 to a fourth node added for it, without a copy cap and then with one
 * (20 MB/s), and back before each run; meanwhile a replicated topic takes acks=all publishes
 * (100 x 100-byte messages per request, 8 in flight). Reported: the move's time and bytes per
 * second, and the live traffic's throughput and latency (p50, p99) during each move against the
 * same traffic on a quiet cluster (ratio).
 */
final class MoveBench {
    private static final Pattern SIZE = Pattern.compile("\"leaderBytes\":(\\d+)");
    private static final long THROTTLE = 20L * 1024 * 1024;

    private final Path data;
    private final boolean quick;

    MoveBench(Path data, boolean quick) {
        this.data = data;
        this.quick = quick;
    }

    /** What the live traffic did over one window. */
    record Traffic(double messagesPerSecond, double p50Ms, double p99Ms, long failed) {
    }

    void run() throws Exception {
        long bytes = (quick ? 100L : 1024L) * 1024 * 1024;
        System.out.printf("Partition move benchmark (%s), %d cores, Java %s%n", quick ? "quick" : "full",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try (BenchCluster cluster = BenchCluster.start(data, 1)) {
            HttpClient http = HttpLoad.client();
            String gw = cluster.vhostUrl();
            String added = cluster.launcher.addStorageNode(io.tributary.launcher.Ports.free());
            cluster.launcher.start(added);
            cluster.launcher.awaitReady(added);
            HttpLoad.send(http, "PUT", gw + "/topics/live", "{\"partitions\":3,\"replicationFactor\":3,\"minInSyncReplicas\":2}");
            HttpLoad.send(http, "PUT", gw + "/topics/big", "{\"partitions\":1,\"replicationFactor\":1}");
            // The big partition on storage-1 to begin with (a pure reorder cannot do it: move it there).
            move(http, cluster, "big", "storage-1", 0);
            fill(http, gw, bytes);
            Duration window = Duration.ofSeconds(quick ? 10 : 20);
            Traffic quiet = traffic(http, gw, window, null);
            Report.section("Moving a " + (bytes >> 20) + " MB partition (one replica) to a new node while acks=all traffic runs "
                    + "on a replicationFactor 3 topic");
            Report.row("quiet cluster", describe(quiet));
            for (long cap : new long[] {0, THROTTLE}) {
                String label = cap == 0 ? "no copy cap" : "copy cap " + (cap >> 20) + " MB/s";
                long[] timing = new long[2];
                Traffic during = traffic(http, gw, null, () -> timing[0] = moveTimed(http, cluster, added, cap, timing));
                double seconds = timing[0] / 1000.0;
                Report.row("move, " + label, String.format("%.1f s, %.1f MB/s", seconds, timing[1] / 1e6 / seconds));
                Report.row("  live traffic meanwhile", describe(during) + String.format("; throughput %s of quiet, p99 %s",
                        Report.ratio(during.messagesPerSecond(), quiet.messagesPerSecond()), Report.ratio(during.p99Ms(), quiet.p99Ms())));
                move(http, cluster, "big", "storage-1", 0); // back, for the next run
                awaitDeleted(cluster, added);
            }
        }
    }

    private static String describe(Traffic t) {
        return String.format("%,.0f messages/s, publish p50 %.1f ms, p99 %.1f ms%s", t.messagesPerSecond(), t.p50Ms(), t.p99Ms(),
                t.failed() > 0 ? " (" + t.failed() + " failed)" : "");
    }

    /** Moves big/0 to {@code node}; returns the time in ms and puts the bytes moved in {@code timing[1]}. */
    private static long moveTimed(HttpClient http, BenchCluster cluster, String node, long cap, long[] timing) {
        try {
            long t0 = System.nanoTime();
            timing[1] = move(http, cluster, "big", node, cap);
            return (System.nanoTime() - t0) / 1_000_000;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a move of {@code topic}/0 onto {@code node} alone and waits for it; returns the partition's bytes as seen meanwhile. */
    private static long move(HttpClient http, BenchCluster cluster, String topic, String node, long cap) throws Exception {
        String api = cluster.layout.gatewayUrl() + "/api/v1/cluster/reassignments";
        HttpLoad.send(http, "POST", api, "{\"partitions\":[{\"vhost\":\"default\",\"topic\":\"" + topic + "\",\"partition\":0,"
                + "\"replicas\":[\"" + node + "\"]}],\"copyBytesPerSecond\":" + cap + "}");
        long size = 0;
        while (true) {
            String body = http.send(BenchCluster.request(api).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = SIZE.matcher(body);
            if (m.find()) {
                size = Math.max(size, Long.parseLong(m.group(1)));
            }
            if (body.contains("\"inProgress\":[]")) {
                return size;
            }
            Thread.sleep(50);
        }
    }

    /** Waits until the moved-away copy on {@code node} is deleted (else the next move onto it would find it there). */
    private static void awaitDeleted(BenchCluster cluster, String node) throws Exception {
        Path dir = Path.of(cluster.launcher.layout().service(node).env().get(io.tributary.launcher.ClusterLayout.DATA_DIR))
                .resolve("default");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            boolean any;
            try (var s = Files.exists(dir) ? Files.list(dir) : java.util.stream.Stream.<Path>empty()) {
                any = s.anyMatch(p -> p.getFileName().toString().startsWith("big~") && hasPartitions(p));
            }
            if (!any) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the moved-away copy on " + node + " was not deleted");
    }

    private static boolean hasPartitions(Path topicDir) {
        try (var s = Files.list(topicDir)) {
            return s.findAny().isPresent();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Fills big/0 with {@code bytes} of 1000-byte messages (500 per request, 8 in flight, acks=leader). */
    private static void fill(HttpClient http, String gw, long bytes) throws Exception {
        StringBuilder b = new StringBuilder("[");
        String payload = "y".repeat(1000);
        for (int i = 0; i < 500; i++) {
            b.append(i == 0 ? "" : ",").append("{\"payload\":\"").append(payload).append("\"}");
        }
        String body = b.append("]").toString();
        long requests = bytes / (500L * 1000);
        AtomicLong sent = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            workers.add(CompletableFuture.runAsync(() -> {
                while (sent.getAndIncrement() < requests) {
                    try {
                        HttpLoad.send(http, "POST", gw + "/topics/big/messages?acks=leader", body);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, pool));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
        pool.shutdown();
        System.out.printf("filled big/0 with %d MB in %.1f s%n", bytes >> 20, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * acks=all publishes to the live topic (100 x 100-byte messages per request, 8 in flight),
     * for {@code window}, or for as long as {@code during} runs.
     */
    private static Traffic traffic(HttpClient http, String gw, Duration window, Runnable during) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong failed = new AtomicLong();
        String body = body100();
        HttpRequest request = BenchCluster.request(gw + "/topics/live/messages?acks=all")
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int w = 0; w < 8; w++) {
            workers.add(CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    long s = System.nanoTime();
                    try {
                        HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 200) {
                            latencies.add(System.nanoTime() - s);
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            }, pool));
        }
        if (during != null) {
            during.run();
        } else {
            Thread.sleep(window.toMillis());
        }
        running.set(false);
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
        pool.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double p50 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e6;
        double p99 = sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * 0.99)) / 1e6;
        return new Traffic(sorted.size() * 100 / seconds, p50, p99, failed.get());
    }

    private static String body100() {
        StringBuilder b = new StringBuilder("[");
        String payload = "x".repeat(100);
        for (int i = 0; i < 100; i++) {
            b.append(i == 0 ? "" : ",").append("{\"key\":\"key-").append(i).append("\",\"payload\":\"").append(payload).append("\"}");
        }
        return b.append("]").toString();
    }
}
