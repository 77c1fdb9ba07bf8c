package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * A producer as a careful Kafka user writes one: keyed messages with acks=all, each with its
 * own id, a batch retried as it was (same ids) until it is acknowledged, and the next batch
 * only after that, so the order per key is the order of acknowledgement. Several such
 * producers (threads) run at a steady pace; afterwards {@link #verify} reads every partition
 * back and counts what is missing, duplicated or out of order.
 */
final class KeyedLoad implements AutoCloseable {
    /** One request: when it started and ended (System.nanoTime), its status, and the partitions it hit. */
    record Call(long startNanos, long endNanos, int status, Set<Integer> partitions) {
    }

    private final Api api;
    private final String topic;
    private final int batchSize;
    private final Duration pause;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, Long> acked = new ConcurrentHashMap<>();  // message id -> seq within its key
    private final Map<String, String> keyOf = new ConcurrentHashMap<>();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger failedAttempts = new AtomicInteger();
    final Map<String, Integer> failureTypes = new ConcurrentHashMap<>();

    KeyedLoad(Api api, String topic, int producers, int batchSize, Duration pause) {
        this.api = api;
        this.topic = topic;
        this.batchSize = batchSize;
        this.pause = pause;
        for (int i = 0; i < producers; i++) {
            int producer = i;
            Thread t = new Thread(() -> run(producer), "keyed-load-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    KeyedLoad start() {
        threads.forEach(Thread::start);
        return this;
    }

    int ackedCount() {
        return acked.size();
    }

    /** Waits (up to a minute) until {@code count} messages are acknowledged. */
    void awaitAcked(int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ackedCount() < count) {
            assertThat(System.nanoTime()).as("%d messages acknowledged in time (now %d; failures %s)", count,
                    ackedCount(), failureTypes).isLessThan(deadline);
            Replicas.sleep(50);
        }
    }

    private void run(int producer) {
        long seq = 0;
        while (running.get()) {
            StringBuilder body = new StringBuilder("[");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < batchSize; i++, seq++) {
                String key = "p" + producer + "-k" + (seq % 16);
                String id = "p" + producer + "-m" + seq;
                ids.add(id);
                keyOf.put(id, key);
                body.append(i == 0 ? "" : ",").append("{\"key\":\"").append(key).append("\",\"id\":\"").append(id)
                        .append("\",\"payload\":{\"seq\":").append(seq).append("}}");
            }
            body.append(']');
            long firstSeq = seq - batchSize;
            // Retry the same batch (same ids) until it is acknowledged, as the README says to.
            while (true) {
                long t0 = System.nanoTime();
                Api.Response r;
                try {
                    r = api.postJson(Replicas.V + "/topics/" + topic + "/messages?acks=all", body.toString());
                } catch (RuntimeException e) {
                    calls.add(new Call(t0, System.nanoTime(), -1, Set.of()));
                    failedAttempts.incrementAndGet();
                    failureTypes.merge("io", 1, Integer::sum);
                    Replicas.sleep(200);
                    continue;
                }
                Set<Integer> partitions = partitionsOf(r);
                calls.add(new Call(t0, System.nanoTime(), r.status(), partitions));
                if (r.status() == 200) {
                    for (int i = 0; i < ids.size(); i++) {
                        acked.put(ids.get(i), firstSeq + i);
                    }
                    break;
                }
                failedAttempts.incrementAndGet();
                failureTypes.merge(r.status() + " " + safeType(r), 1, Integer::sum);
                Replicas.sleep(100);
                if (!running.get() && System.nanoTime() - t0 > Duration.ofMinutes(2).toNanos()) {
                    break;
                }
            }
            Replicas.sleep(pause.toMillis());
        }
    }

    private static String safeType(Api.Response r) {
        try {
            return r.problemType();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static Set<Integer> partitionsOf(Api.Response r) {
        Set<Integer> out = new HashSet<>();
        try {
            for (JsonNode res : r.json().path("results")) {
                out.add(res.get("partition").asInt());
            }
        } catch (RuntimeException e) {
            // not JSON: counts for no partition
        }
        return out;
    }

    /** Stops the producers once each has its batch in flight acknowledged. */
    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(Duration.ofMinutes(3).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Every failed attempt was a 503 (with a problem type), the answer a client may retry. */
    void assertOnlyRetriableFailures() {
        assertThat(failureTypes.keySet()).as("failed attempts by status and type: %s", failureTypes)
                .allMatch(k -> k.startsWith("503 "));
    }

    /** What reading the topic back found. */
    record Verdict(int acknowledged, int missing, int duplicates, int outOfOrder, int stored) {
    }

    /**
     * Reads every partition from the start and checks it against what was acknowledged:
     * missing acknowledged ids, ids stored twice, and keys whose sequence numbers do not rise
     * in log order.
     */
    Verdict verify(int partitions) {
        // What was acknowledged before the read began: a message acknowledged while the
        // partitions are being read (the load may still run) can be past the part already read.
        Map<String, Long> acknowledged = Map.copyOf(acked);
        Map<Integer, List<JsonNode>> all = StorageCrashClusterTest.readAll(api, topic, partitions);
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Long> lastSeqOfKey = new HashMap<>();
        int outOfOrder = 0;
        int stored = 0;
        for (List<JsonNode> messages : all.values()) {
            for (JsonNode m : messages) {
                stored++;
                String id = m.path("messageId").asString();
                seen.merge(id, 1, Integer::sum);
                long seq = m.get("payload").get("seq").asLong();
                Long before = lastSeqOfKey.put(m.get("key").asString(), seq);
                if (before != null && seq <= before) {
                    outOfOrder++;
                }
            }
        }
        int missing = 0;
        for (String id : acknowledged.keySet()) {
            if (!seen.containsKey(id)) {
                missing++;
            }
        }
        int duplicates = (int) seen.values().stream().filter(c -> c > 1).count();
        return new Verdict(acknowledged.size(), missing, duplicates, outOfOrder, stored);
    }

    /**
     * Write unavailability after each fault at {@code faultNanos}: the time until the first
     * acknowledged request that started after it and touched {@code partition}.
     */
    List<Long> unavailabilityMs(List<Long> faultNanos, int partition) {
        List<Long> out = new ArrayList<>();
        List<Call> sorted = new ArrayList<>(calls);
        sorted.sort((a, b) -> Long.compare(a.startNanos(), b.startNanos()));
        for (long fault : faultNanos) {
            for (Call c : sorted) {
                if (c.startNanos() >= fault && c.status() == 200 && c.partitions().contains(partition)) {
                    out.add((c.endNanos() - fault) / 1_000_000);
                    break;
                }
            }
        }
        return out;
    }

    static long median(List<Long> values) {
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.isEmpty() ? -1 : s.get(s.size() / 2);
    }
}
