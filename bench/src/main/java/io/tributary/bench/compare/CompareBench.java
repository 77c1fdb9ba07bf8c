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
 * {@link Workload}). One peer at a time runs every workload that names it, three times each
 * (warm-up dropped), with only its own servers up; the report is the median repetition and
 * the spread, and goes to {@code BENCHMARKS.md}.
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
        // One peer at a time: a peer's idle servers cost CPU (Tributary's about 40% of a core,
        // three Kafka brokers about 25%), which would be charged to whoever runs beside them.
        List<String> order = workloads.stream().flatMap(w -> w.peers().stream()).distinct().toList();
        Map<Workload, Map<String, List<LoadRun.Measurement>>> results = new LinkedHashMap<>();
        Map<String, String> setups = new LinkedHashMap<>();
        for (String name : order) {
            try (Peer peer = peer(name)) {
                for (Workload w : workloads) {
                    if (!w.peers().contains(name)) {
                        continue;
                    }
                    System.out.printf("%n== %s on %s (%s): %s%n", w.name(), name, peer.setup(w), w.description());
                    setups.put(w.name() + "/" + name, peer.setup(w));
                    List<LoadRun.Measurement> reps = new ArrayList<>();
                    for (int rep = 0; rep < REPETITIONS; rep++) {
                        String destination = w.name() + "-" + rep + "-" + System.currentTimeMillis() % 100_000;
                        peer.prepare(w, destination);
                        LoadRun.Measurement m = LoadRun.run(peer, w, destination, warmUp, measured);
                        reps.add(m);
                        System.out.printf("  rep %d: %,.0f messages/s, p99 %.1f ms, %.1f CPU s per million, %d failed%n", rep + 1,
                                m.messagesPerSecond(), m.latencyMicros().getValueAtPercentile(99) / 1000.0, m.cpuPerMillion(),
                                m.failures());
                    }
                    results.computeIfAbsent(w, k -> new LinkedHashMap<>()).put(name, reps);
                }
            }
        }
        for (Workload w : workloads) {
            report.add(w, results.get(w), name -> setups.get(w.name() + "/" + name));
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
