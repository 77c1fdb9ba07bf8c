package io.tributary.bench.compare;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * One workload of {@code bench/run compare}, read from a file in {@code bench/workloads/}
 * (Java properties, every key below required, so a file says all it means):
 * <pre>
 * description   one line for the report
 * tier          T1 (replicated: 3 replicas, acks=all, 2 in sync required) or
 *               T2 (fsync before the acknowledgement, one replica)
 * messageBytes  payload size
 * partitions    of the topic (Kafka, Tributary); RabbitMQ has one queue
 * batch         messages per request (Tributary POST, RabbitMQ confirm wait, Kafka records awaited together)
 * connections   concurrent publishers (HTTP connections, channels, producer threads)
 * keyed         true: message i has key "key-(i % 1000)"
 * rate          requests per second over all publishers, 0 for as fast as acknowledgements come;
 *               with a fixed rate, latency is measured from each request's intended send time
 * peers         comma-separated: tributary, kafka, rabbitmq
 * </pre>
 */
public record Workload(String name, String description, String tier, int messageBytes, int partitions, int batch, int connections,
        boolean keyed, int rate, List<String> peers) {

    public static Workload load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        String name = file.getFileName().toString().replaceFirst("\\.properties$", "");
        String tier = required(p, "tier");
        if (!tier.equals("T1") && !tier.equals("T2")) {
            throw new IllegalArgumentException(file + ": tier must be T1 or T2, not " + tier);
        }
        return new Workload(name, required(p, "description"), tier, Integer.parseInt(required(p, "messageBytes")),
                Integer.parseInt(required(p, "partitions")), Integer.parseInt(required(p, "batch")),
                Integer.parseInt(required(p, "connections")), Boolean.parseBoolean(required(p, "keyed")),
                Integer.parseInt(required(p, "rate")), Arrays.stream(required(p, "peers").split(",")).map(String::trim).toList());
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("workload file lacks " + key);
        }
        return v.trim();
    }

    public boolean replicated() {
        return tier.equals("T1");
    }

    /** The pause between one publisher's requests at a fixed rate, or zero. */
    public Duration interval() {
        return rate == 0 ? Duration.ZERO : Duration.ofNanos(1_000_000_000L * connections / rate);
    }

    /** The key of message {@code i}, or null. */
    public String key(long i) {
        return keyed ? "key-" + (i % 1000) : null;
    }
}
