package io.tributary.bench.compare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bench/run compare [quick] [workload ...]}: Tributary, Kafka and RabbitMQ side by side
 * on this machine, one workload file at a time ({@code bench/workloads/*.properties}, see
 * {@link Workload}). Each peer runs each workload three times (warm-up dropped), the
 * repetitions interleaved across peers so a drift of the machine touches them all alike; the
 * report is the median repetition and the spread, and goes to {@code BENCHMARKS.md}.
 */
public final class CompareBench {
    private static final int REPETITIONS = 3;
    private final Path repo;
    private final Path data;
    private final boolean quick;
    private final List<String> only;

    public CompareBench(Path repo, Path data, boolean quick, List<String> only) {
        this.repo = repo;
        this.data = data;
        this.quick = quick;
        this.only = only;
    }

    public void run() throws Exception {
        List<Workload> workloads = new ArrayList<>();
        try (Stream<Path> files = Files.list(repo.resolve("bench/workloads"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".properties")).sorted().toList()) {
                Workload w = Workload.load(f);
                if (only.isEmpty() || only.contains(w.name())) {
                    workloads.add(w);
                }
            }
        }
        if (workloads.isEmpty()) {
            throw new IllegalArgumentException("no workload named " + only + " in bench/workloads");
        }
        Duration warmUp = Duration.ofSeconds(quick ? 4 : 10);
        Duration measured = Duration.ofSeconds(quick ? 5 : 15);
        ComparisonReport report = new ComparisonReport(warmUp, measured, REPETITIONS, quick);
        Map<String, Peer> peers = new LinkedHashMap<>();
        try {
            for (Workload w : workloads) {
                System.out.printf("%n== %s: %s%n", w.name(), w.description());
                Map<String, List<LoadRun.Measurement>> runs = new LinkedHashMap<>();
                for (String name : w.peers()) {
                    Peer peer = peers.computeIfAbsent(name, this::peer);
                    runs.put(name, new ArrayList<>());
                    System.out.printf("  %-10s %s%n", name, peer.setup(w));
                }
                for (int rep = 0; rep < REPETITIONS; rep++) {
                    for (String name : w.peers()) {
                        Peer peer = peers.get(name);
                        String destination = w.name() + "-" + rep + "-" + System.currentTimeMillis() % 100_000;
                        peer.prepare(w, destination);
                        LoadRun.Measurement m = LoadRun.run(peer, w, destination, warmUp, measured);
                        runs.get(name).add(m);
                        System.out.printf("  %-10s rep %d: %,.0f messages/s, p99 %.1f ms, %.1f CPU s per million, %d failed%n", name,
                                rep + 1, m.messagesPerSecond(), m.latencyMicros().getValueAtPercentile(99) / 1000.0, m.cpuPerMillion(),
                                m.failures());
                    }
                }
                report.add(w, runs, peers);
            }
        } finally {
            for (Peer p : peers.values()) {
                try {
                    p.close();
                } catch (Exception e) {
                    System.out.println("closing " + p.name() + ": " + e);
                }
            }
        }
        Path out = repo.resolve("BENCHMARKS.md");
        Files.writeString(out, report.markdown());
        System.out.println();
        System.out.println(report.markdown());
        System.out.println("written to " + out);
    }

    private Peer peer(String name) {
        try {
            return switch (name) {
                case "tributary" -> new TributaryPeer(data.resolve("tributary"));
                case "kafka" -> new KafkaPeer(data.resolve("kafka"), repo.resolve("bench/target/kafka-broker.classpath"));
                case "rabbitmq" -> new RabbitPeer();
                default -> throw new IllegalArgumentException("unknown peer " + name + " (tributary, kafka, rabbitmq)");
            };
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("starting " + name + ": " + e.getMessage(), e);
        }
    }
}
