package io.tributary.bench.compare;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The table {@code bench/run compare} writes to {@code BENCHMARKS.md}: per workload and peer
 * the median repetition (by messages/s) with the spread of all three, MB/s, publish-ack
 * latency of that repetition, CPU seconds per million messages summed over the peer's server
 * processes, and the ratio of Tributary's figure to each peer's, from the same run.
 */
final class ComparisonReport {
    private final Duration warmUp;
    private final Duration measured;
    private final int repetitions;
    private final boolean quick;
    private final StringBuilder tables = new StringBuilder();
    private final List<String> losses = new ArrayList<>();

    ComparisonReport(Duration warmUp, Duration measured, int repetitions, boolean quick) {
        this.warmUp = warmUp;
        this.measured = measured;
        this.repetitions = repetitions;
        this.quick = quick;
    }

    void add(Workload w, Map<String, List<LoadRun.Measurement>> runs, java.util.function.Function<String, String> setupOf) {
        tables.append(String.format(Locale.ROOT, "%n### %s%n%n%s. %d B messages, %d partitions, %d messages per request, %d "
                        + "publishers, %s, %s.%n%n", w.name(), w.description(), w.messageBytes(), w.partitions(), w.batch(),
                w.connections(), w.keyed() ? "keyed" : "no keys", w.rate() == 0 ? "as fast as acknowledged"
                        : String.format(Locale.ROOT, "%,d requests/s fixed (latency from the intended send time)", w.rate())));
        tables.append("| peer | setup | messages/s (median; min–max) | MB/s | ack latency p50 / p99 / p99.9 / max (ms) "
                + "| server CPU s per million messages | failed requests | Tributary ÷ peer (messages/s; CPU) |\n");
        tables.append("|---|---|---|---|---|---|---|---|\n");
        LoadRun.Measurement ours = runs.containsKey("tributary") ? median(runs.get("tributary")) : null;
        for (Map.Entry<String, List<LoadRun.Measurement>> e : runs.entrySet()) {
            List<LoadRun.Measurement> all = e.getValue();
            LoadRun.Measurement m = median(all);
            double min = all.stream().mapToDouble(LoadRun.Measurement::messagesPerSecond).min().orElse(0);
            double max = all.stream().mapToDouble(LoadRun.Measurement::messagesPerSecond).max().orElse(0);
            Histogram h = m.latencyMicros();
            String ratio = "—";
            if (ours != null && !e.getKey().equals("tributary") && m.messagesPerSecond() > 0) {
                double speed = ours.messagesPerSecond() / m.messagesPerSecond();
                double cpu = m.cpuPerMillion() == 0 ? 0 : ours.cpuPerMillion() / m.cpuPerMillion();
                ratio = String.format(Locale.ROOT, "%.2f× ; %.2f×", speed, cpu);
                if (speed < 1) {
                    losses.add(String.format(Locale.ROOT, "%s: Tributary publishes %.2f× as many messages/s as %s (%,.0f vs %,.0f) "
                            + "and uses %.2f× its CPU per message.", w.name(), speed, e.getKey(), ours.messagesPerSecond(),
                            m.messagesPerSecond(), cpu));
                }
            }
            tables.append(String.format(Locale.ROOT, "| %s | %s | %,.0f; %,.0f–%,.0f | %.1f | %s / %s / %s / %s | %.1f | %d | %s |%n",
                    e.getKey(), setupOf.apply(e.getKey()), m.messagesPerSecond(), min, max, m.megabytesPerSecond(),
                    ms(h, 50), ms(h, 99), ms(h, 99.9), ms(h.getMaxValue()), m.cpuPerMillion(),
                    all.stream().mapToLong(LoadRun.Measurement::failures).sum(), ratio));
        }
    }

    private static LoadRun.Measurement median(List<LoadRun.Measurement> all) {
        List<LoadRun.Measurement> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingDouble(LoadRun.Measurement::messagesPerSecond));
        return sorted.get(sorted.size() / 2);
    }

    private static String ms(Histogram h, double percentile) {
        return ms(h.getValueAtPercentile(percentile));
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks: Tributary beside Kafka and RabbitMQ\n\n");
        md.append("Written by `bench/run compare").append(quick ? " quick" : "").append("` on ").append(LocalDate.now())
                .append(". Do not edit by hand: run the command again.\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %d cores, %.0f GiB, %s %s, Java %s. Everything local: the load generator, "
                        + "every server process and the peers share the cores, so the figures are for comparing peers in one run, "
                        + "not for capacity planning.%n%n", Runtime.getRuntime().availableProcessors(), memoryGiB(),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.version")));
        md.append(String.format(Locale.ROOT, "Each peer ran each workload %d times (%d s warm-up dropped, %d s measured), one "
                        + "peer at a time with only its own servers running; the table shows the median repetition by messages/s and the spread of all. "
                        + "Latency is per request (a request is the workload's batch), to the acknowledgement of its last message. CPU is "
                        + "user + system seconds of the peer's server processes over the measured window (Tributary: Redis and its "
                        + "seven service processes; Kafka: its broker JVMs; RabbitMQ: beam.smp), per million acknowledged messages. "
                        + "Workloads are the files in `bench/workloads/`.%n", repetitions, warmUp.toSeconds(), measured.toSeconds()));
        md.append(tables);
        md.append("\n## Where Tributary loses\n\n");
        if (losses.isEmpty()) {
            md.append("Nowhere in this run.\n");
        } else {
            losses.forEach(l -> md.append("- ").append(l).append('\n'));
        }
        return md.toString();
    }

    private static double memoryGiB() {
        try {
            String line = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo")).get(0);
            return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0;
        } catch (Exception e) {
            return 0;
        }
    }
}
