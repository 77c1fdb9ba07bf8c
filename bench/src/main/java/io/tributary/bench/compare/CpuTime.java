package io.tributary.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU seconds (user + system) a set of processes has used, from {@code /proc/<pid>/stat}
 * (fields 14 and 15, in clock ticks of 1/100 s on Linux). Less disturbed by a noisy machine
 * than throughput: it counts the work, not the wall-clock time it took.
 */
final class CpuTime {
    private static final double TICKS_PER_SECOND = 100.0;

    private CpuTime() {
    }

    static double seconds(List<Long> pids) {
        double total = 0;
        for (long pid : pids) {
            total += seconds(pid);
        }
        return total;
    }

    static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException e) {
            return 0; // a process that is gone used nothing more
        }
    }
}
