package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.ClusterLayout;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A WebSocket consumer that stops reading its socket for a minute, holding a million permits,
 * while 40 MB are published for it: the gateway's heap stays flat (what the consumer has not
 * read waits in storage, not in the gateway), and once it reads again it gets every message,
 * in order per partition, from where it stopped.
 */
class StalledConsumerClusterTest {
    static final String V = "/api/v1/vhosts/default";
    static final Duration STALL = Duration.ofSeconds(60);

    @Test
    void aStalledConsumerCostsTheGatewayNoMemoryAndResumesWhereItStopped() throws Exception {
        TestCluster cluster = TestCluster.get();
        Api api = cluster.api();
        String topic = "stalled";
        api.topicWithSubscription(topic, 3, "slow");
        long gateway = cluster.launcher().process(ClusterLayout.GATEWAY).pid();

        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicLong received = new AtomicLong();
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public void onOpen(WebSocket ws) {
                ws.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    JsonNode m = Api.JSON.readTree(partial.toString());
                    partial.setLength(0);
                    if (m.has("id")) {
                        ids.add(m.get("id").asString());
                        received.incrementAndGet();
                    }
                }
                if (reading.get()) {
                    ws.request(1); // while stalled it asks for nothing: the client stops reading the socket
                }
                return null;
            }
        };
        URI uri = URI.create(api.base().replaceFirst("^http", "ws") + "/ws/v1/vhosts/default/topics/" + topic
                + "/subscriptions/slow?credit=1000000");
        WebSocket ws = api.http().newWebSocketBuilder().header("Authorization", "Bearer " + api.key()).buildAsync(uri, listener).get(30, TimeUnit.SECONDS);
        try {
            publish(api, topic, 10);
            await(() -> received.get() >= 1000, "the first 1,000 messages");
            reading.set(false);
            long before = heapAfterGc(gateway);
            long published = 1000;
            long end = System.nanoTime() + STALL.toNanos();
            while (System.nanoTime() < end) {
                if (published < 40_000) {
                    publish(api, topic, 1);
                    published += 100;
                } else {
                    Replicas.sleep(200);
                }
            }
            long stalledAt = received.get();
            long after = heapAfterGc(gateway);
            System.out.printf("stalled WebSocket consumer: %d of %d messages read before the stall ended; gateway heap after GC "
                    + "%d MB before, %d MB after %d s (%d MB published)%n", stalledAt, published, before >> 20, after >> 20,
                    STALL.toSeconds(), published * 1024 >> 20);
            assertThat(published).as("the publisher kept up").isEqualTo(40_000);
            assertThat(stalledAt).as("the consumer really stopped reading").isLessThan(published / 2);
            assertThat(after - before).as("gateway heap growth while %d MB waited for the consumer", published * 1024 >> 20)
                    .isLessThan(16L << 20);

            reading.set(true);
            ws.request(1);
            long total = published;
            await(() -> received.get() >= total, "every message after the consumer reads again");
            Map<Integer, Long> next = new HashMap<>();
            for (String id : ids) {
                int p = Integer.parseInt(id.substring(0, id.indexOf('-')));
                long o = Long.parseLong(id.substring(id.indexOf('-') + 1));
                assertThat(o).as("partition %d: no gap, no repeat", p).isEqualTo(next.getOrDefault(p, 0L));
                next.put(p, o + 1);
            }
            assertThat(next.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(total);
        } finally {
            ws.abort();
        }
    }

    /** Publishes {@code batches} requests of 100 messages of 1 KiB. */
    private static void publish(Api api, String topic, int batches) {
        String payload = "x".repeat(1000);
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            body.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"payload\":\"").append(payload).append("\"}");
        }
        String json = body.append(']').toString();
        for (int b = 0; b < batches; b++) {
            Api.Response r = api.postJson(V + "/topics/" + topic + "/messages", json);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Replicas.sleep(50);
        }
    }

    /** The gateway's used heap right after a full collection (jcmd of the JDK running the tests). */
    static long heapAfterGc(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        run(jcmd.toString(), Long.toString(pid), "GC.run");
        String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
        long used = 0;
        // Serial GC: "def new generation total 19648K, used 1234K ..." and "tenured generation total ..., used ...K"
        for (String line : info.split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*(def new generation|tenured generation|garbage-first heap"
                    + "|PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K").matcher(line);
            if (m.find()) {
                used += Long.parseLong(m.group(2)) * 1024;
            }
        }
        assertThat(used).as("heap info of %d: %s", pid, info).isPositive();
        return used;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}
