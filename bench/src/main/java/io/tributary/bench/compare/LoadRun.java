package io.tributary.bench.compare;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives one peer with one workload: {@code connections} publishers, each sending one
 * request after another (at the workload's fixed rate, or as fast as acknowledgements come),
 * through a warm-up whose figures are dropped and then a measured window. Latency is per
 * request, from its intended send time (so a fixed-rate run does not hide queueing behind a
 * slow request: coordinated omission) to the acknowledgement of its last message; requests
 * meant for the measured window are waited for after it ends.
 */
final class LoadRun {
    /** The figures of one measured window. */
    record Measurement(long messages, long bytes, long nanos, Histogram latencyMicros, long failures, double serverCpuSeconds) {
        double messagesPerSecond() {
            return messages / (nanos / 1e9);
        }

        double megabytesPerSecond() {
            return bytes / 1e6 / (nanos / 1e9);
        }

        /** CPU seconds of the peer's server processes per million messages. */
        double cpuPerMillion() {
            return messages == 0 ? 0 : serverCpuSeconds / messages * 1e6;
        }
    }

    private LoadRun() {
    }

    static Measurement run(Peer peer, Workload w, String destination, Duration warmUp, Duration measured) throws Exception {
        List<Peer.Publisher> publishers = new ArrayList<>();
        for (int i = 0; i < w.connections(); i++) {
            publishers.add(peer.publisher(w, destination));
        }
        Recorder recorder = new Recorder(3);
        AtomicLong acked = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicLong sequence = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + warmUp.toNanos();
        long end = measureFrom + measured.toNanos();
        ExecutorService threads = Executors.newFixedThreadPool(w.connections());
        try {
            List<Future<?>> running = new ArrayList<>();
            long interval = w.interval().toNanos();
            for (int c = 0; c < publishers.size(); c++) {
                Peer.Publisher publisher = publishers.get(c);
                long offset = interval == 0 ? 0 : interval * c / publishers.size(); // spread the publishers over the interval
                running.add(threads.submit(() -> {
                    long intended = start + offset;
                    while (true) {
                        if (interval > 0) {
                            long wait = intended - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                        } else {
                            intended = System.nanoTime();
                        }
                        if (intended >= end) {
                            return null;
                        }
                        long first = sequence.getAndAdd(w.batch());
                        try {
                            publisher.publish(first);
                            long done = System.nanoTime();
                            // Throughput: what was acknowledged inside the window. Latency: every request
                            // meant to start inside it, however late it finished (an overloaded peer's
                            // slow answers are its latency, not requests to leave out).
                            if (done >= measureFrom && done <= end) {
                                acked.addAndGet(w.batch());
                            }
                            if (intended >= measureFrom) {
                                recorder.recordValue(Math.max(1, (done - intended) / 1000));
                            }
                        } catch (Exception e) {
                            if (intended >= measureFrom) {
                                failures.incrementAndGet();
                            }
                        }
                        intended += interval;
                    }
                }));
            }
            // The CPU window is the measured window.
            LockSupport.parkNanos(Math.max(0, measureFrom - System.nanoTime()));
            double cpuBefore = CpuTime.seconds(peer.serverPids());
            LockSupport.parkNanos(Math.max(0, end - System.nanoTime()));
            double cpuAfter = CpuTime.seconds(peer.serverPids());
            for (Future<?> f : running) {
                f.get();
            }
            long messages = acked.get();
            return new Measurement(messages, messages * w.messageBytes(), measured.toNanos(), recorder.getIntervalHistogram(),
                    failures.get(), cpuAfter - cpuBefore);
        } finally {
            threads.shutdownNow();
            for (Peer.Publisher p : publishers) {
                p.close();
            }
        }
    }
}
