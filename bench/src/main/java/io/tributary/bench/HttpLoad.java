package io.tributary.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** HTTP load for the end-to-end benchmarks: a fixed number of requests in flight for a while. */
public final class HttpLoad {
    private HttpLoad() {
    }

    /** HTTP/1.1 explicitly: the JDK client would otherwise try an h2c upgrade on every new connection. */
    public static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static void send(HttpClient http, String method, String url, String body) throws Exception {
        HttpResponse<String> r = http.send(BenchCluster.request(url).header("content-type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + url + " -> " + r.statusCode() + " " + r.body());
        }
    }

    /** Successful requests per second with {@code inFlight} concurrent requests for {@code duration}. */
    static double requestsPerSecond(HttpClient http, String url, String body, Duration duration, int inFlight) {
        long end = System.nanoTime() + duration.toNanos();
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        HttpRequest request = BenchCluster.request(url).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(inFlight);
        long t0 = System.nanoTime();
        for (int w = 0; w < inFlight; w++) {
            workers.add(CompletableFuture.runAsync(() -> {
                while (System.nanoTime() < end) {
                    try {
                        HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                        (r.statusCode() == 200 ? done : failed).incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            }, threads));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
        threads.shutdown();
        long ns = System.nanoTime() - t0;
        if (failed.get() > 0) {
            System.out.println("  (" + failed.get() + " requests failed)");
        }
        return done.get() / (ns / 1e9);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    static String rounded(List<Double> values) {
        return values.stream().map(v -> String.format("%,.0f", v)).toList().toString();
    }
}
