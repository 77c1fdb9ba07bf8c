package io.tributary.bench;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.log.LogRead;
import io.tributary.storage.log.PartitionLog;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionId;
import io.tributary.storage.partition.PartitionSettings;
import io.tributary.storage.segment.SegmentConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The storage engine alone (no HTTP): what one partition log does on this machine's disk.
 *
 * <ol>
 *   <li>Sequential write bandwidth with {@code dd ... conv=fdatasync}: the yardstick.</li>
 *   <li>Append throughput, 100-byte and 1 KiB records in ~64 KiB batches (as routing sends
 *       them), ending with an fsync like dd; fetch throughput reading it all back through
 *       {@code PartitionLog.read} and {@code transferTo} (the zero-copy path).</li>
 *   <li>Tail append and tail fetch on an empty log and on one with a 10-million-message
 *       backlog: the ratio should stay at or above 0.9.</li>
 *   <li>10,000 partitions on one node: heap after GC, open file descriptors, memory maps.</li>
 *   <li>The sync flush policy: acknowledged records per second with group commit (many
 *       appends in flight) against one fsync per record.</li>
 * </ol>
 */
final class StorageEngineBench {
    private static final SegmentConfig SEGMENTS = new SegmentConfig(128 * 1024 * 1024, 86_400_000L, 4096);
    private final Path data;
    private final boolean quick;
    private final Random random = new Random(42);

    StorageEngineBench(Path data, boolean quick) {
        this.data = data;
        this.quick = quick;
    }

    void run() throws Exception {
        clean(data);
        Files.createDirectories(data);
        System.out.printf("Storage engine benchmark (%s), data in %s, %d cores, Java %s%n", quick ? "quick" : "full", data,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        double dd = ddBandwidth();
        throughput(100, dd);
        throughput(1024, dd);
        tailVersusBacklog();
        manyPartitions();
        syncFlush();
        clean(data);
    }

    // ---- 1. the yardstick

    private double ddBandwidth() throws IOException, InterruptedException {
        Report.section("Sequential write bandwidth (dd, conv=fdatasync), three runs");
        List<Double> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(ddOnce());
        }
        runs.sort(null);
        Report.row("median", String.format("%.1f MB/s", runs.get(1)));
        return runs.get(1);
    }

    private double ddOnce() throws IOException, InterruptedException {
        int mb = quick ? 256 : 1024;
        Path out = data.resolve("dd.bin");
        Process p = new ProcessBuilder("dd", "if=/dev/zero", "of=" + out, "bs=1M", "count=" + mb, "conv=fdatasync")
                .redirectErrorStream(true).start();
        String last = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                last = line;
            }
        }
        p.waitFor();
        Files.deleteIfExists(out);
        // "1073741824 bytes (1.1 GB, 1.0 GiB) copied, 2.5 s, 430 MB/s"
        String[] parts = last.split(",");
        double seconds = Double.parseDouble(parts[parts.length - 2].trim().split(" ")[0]);
        double mbps = mb * 1048576.0 / 1e6 / seconds;
        Report.row("dd " + mb + " MiB", String.format("%.1f MB/s  (%s)", mbps, last.trim()));
        return mbps;
    }

    // ---- 2. append and fetch throughput

    private void throughput(int payloadBytes, double ddMbps) throws IOException {
        Report.section("Append and fetch, " + payloadBytes + "-byte records in ~64 KiB batches");
        int perBatch = Math.max(1, 65536 / (payloadBytes + 60));
        long target = (quick ? 256L : 1024L) * 1024 * 1024;
        List<ByteBuffer> batches = distinctBatches(8, perBatch, payloadBytes);
        warmUpAppends(batches, 128L * 1024 * 1024); // let the JIT compile the append path first
        Path dir = data.resolve("throughput-" + payloadBytes);
        try (FileCache files = new FileCache(64); PartitionLog log = PartitionLog.open(dir, SEGMENTS, files)) {
            long bytes = 0;
            long records = 0;
            long t0 = System.nanoTime();
            for (int i = 0; bytes < target; i++) {
                ByteBuffer b = batches.get(i % batches.size()).duplicate();
                bytes += b.remaining();
                log.append(b, 1);
                records += perBatch;
            }
            log.flush();
            long appendNs = System.nanoTime() - t0;
            double appendMbps = bytes / 1e6 / (appendNs / 1e9);
            Report.row("append (incl. CRC check, indexing, final fsync)", Report.mbps(bytes, appendNs) + ", "
                    + Report.perSecond(records, appendNs, "records"));
            Report.row("append / dd sequential write", Report.ratio(appendMbps, ddMbps));

            long t1 = System.nanoTime();
            long read = readAllTo(log, nullChannel());
            long fetchNs = System.nanoTime() - t1;
            Report.row("fetch from offset 0 to the end (read + transferTo)", Report.mbps(read, fetchNs) + ", "
                    + Report.perSecond(records, fetchNs, "records") + " (page cache hot)");
            Report.row("log size / segments", String.format("%,d bytes / %d", log.sizeInBytes(), log.segmentCount()));
        }
        clean(dir);
    }

    private void warmUpAppends(List<ByteBuffer> batches, long bytes) throws IOException {
        Path dir = data.resolve("warm-up");
        try (FileCache files = new FileCache(16); PartitionLog log = PartitionLog.open(dir, SEGMENTS, files)) {
            long written = 0;
            for (int i = 0; written < bytes; i++) {
                ByteBuffer b = batches.get(i % batches.size()).duplicate();
                written += b.remaining();
                log.append(b, 1);
            }
            readAllTo(log, nullChannel());
        }
        clean(dir);
    }

    private static long readAllTo(PartitionLog log, WritableByteChannel sink) throws IOException {
        long offset = log.startOffset();
        long total = 0;
        while (offset < log.endOffset()) {
            LogRead r = log.read(offset, 1 << 20);
            total += transfer(r, sink);
            offset = lastNextOffset(r);
        }
        return total;
    }

    /** The offset after the last batch of a read (reads its final batch header). */
    private static long lastNextOffset(LogRead r) throws IOException {
        ByteBuffer bytes = r.isFileRegion() ? readRegion(r) : r.bytes().duplicate();
        long next = -1;
        int pos = 0;
        while (pos < bytes.limit()) {
            int size = io.tributary.protocol.record.RecordBatch.sizeAt(bytes, pos);
            next = bytes.getLong(pos) + bytes.getInt(pos + io.tributary.protocol.record.RecordBatch.RECORD_COUNT);
            pos += size;
        }
        return next;
    }

    private static ByteBuffer readRegion(LogRead r) throws IOException {
        try (FileChannel ch = FileChannel.open(r.file())) {
            ByteBuffer b = ByteBuffer.allocate(r.length());
            ch.read(b, r.position());
            return b.flip();
        }
    }

    private static long transfer(LogRead r, WritableByteChannel sink) throws IOException {
        if (r.isFileRegion()) {
            try (FileChannel ch = FileChannel.open(r.file())) {
                long done = 0;
                while (done < r.length()) {
                    done += ch.transferTo(r.position() + done, r.length() - done, sink);
                }
                return done;
            }
        }
        return sink.write(r.bytes().duplicate());
    }

    private static WritableByteChannel nullChannel() throws IOException {
        return FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
    }

    // ---- 3. tail cost with a backlog

    private void tailVersusBacklog() throws IOException {
        long backlog = quick ? 2_000_000L : 10_000_000L;
        Report.section("Tail append and tail fetch: empty log against a " + String.format("%,d", backlog) + "-message backlog (100-byte records)");
        List<ByteBuffer> batches = distinctBatches(8, 100, 100);
        int rounds = quick ? 3_000 : 5_000;
        try (FileCache files = new FileCache(64)) {
            Path fullDir = data.resolve("tail-backlog");
            try (PartitionLog full = PartitionLog.open(fullDir, SEGMENTS, files)) {
                List<ByteBuffer> big = distinctBatches(4, 1000, 100);
                long t0 = System.nanoTime();
                for (int i = 0; full.endOffset() < backlog; i++) {
                    full.append(big.get(i % big.size()).duplicate(), 1);
                }
                full.flush(); // the backlog is on disk: its writeback does not slow the measurements
                Report.row("backlog written and flushed", String.format("%,d messages, %,d bytes, %d segments in %.1f s",
                        full.endOffset(), full.sizeInBytes(), full.segmentCount(), (System.nanoTime() - t0) / 1e9));
                warmUp(full, batches);
                // Alternate the two logs, each measurement on a freshly flushed disk, a new empty log each time.
                List<double[]> empty = new ArrayList<>();
                List<double[]> withBacklog = new ArrayList<>();
                for (int r = 0; r < 3; r++) {
                    Path emptyDir = data.resolve("tail-empty-" + r);
                    try (PartitionLog log = PartitionLog.open(emptyDir, SEGMENTS, files)) {
                        empty.add(tailRates(log, batches, rounds));
                        log.flush();
                    }
                    clean(emptyDir);
                    withBacklog.add(tailRates(full, batches, rounds));
                    full.flush();
                }
                double[] e = {median(empty, 0), median(empty, 1)};
                double[] b = {median(withBacklog, 0), median(withBacklog, 1)};
                Report.row("tail append, empty log (median of 3)", String.format("%,.0f batches/s (%,.0f records/s)", e[0], e[0] * 100));
                Report.row("tail append, with backlog (median of 3)", String.format("%,.0f batches/s (%,.0f records/s)", b[0], b[0] * 100));
                Report.row("tail append ratio (backlog / empty)", Report.ratio(b[0], e[0]));
                Report.row("tail fetch, empty log (median of 3)", String.format("%,.0f fetches/s", e[1]));
                Report.row("tail fetch, with backlog (median of 3)", String.format("%,.0f fetches/s", b[1]));
                Report.row("tail fetch ratio (backlog / empty)", Report.ratio(b[1], e[1]));
            }
            clean(fullDir);
        }
    }

    private static double median(List<double[]> runs, int field) {
        List<Double> v = new ArrayList<>();
        runs.forEach(r -> v.add(r[field]));
        v.sort(null);
        return v.get(v.size() / 2);
    }

    private static void warmUp(PartitionLog log, List<ByteBuffer> batches) throws IOException {
        tailRates(log, batches, 5000);
    }

    /** {appends per second, tail fetches per second}: each round appends a batch, then a consumer at the tail fetches it. */
    private static double[] tailRates(PartitionLog log, List<ByteBuffer> batches, int rounds) throws IOException {
        long appendNs = 0;
        long fetchNs = 0;
        WritableByteChannel sink = nullChannel();
        for (int i = 0; i < rounds; i++) {
            ByteBuffer b = batches.get(i % batches.size()).duplicate();
            long t0 = System.nanoTime();
            long base = log.append(b, 1).baseOffset();
            long t1 = System.nanoTime();
            LogRead r = log.read(base, 1 << 20);
            transfer(r, sink);
            long t2 = System.nanoTime();
            appendNs += t1 - t0;
            fetchNs += t2 - t1;
        }
        sink.close();
        return new double[] {Report.rate(rounds, appendNs), Report.rate(rounds, fetchNs)};
    }

    // ---- 4. many partitions

    private void manyPartitions() throws IOException {
        int count = quick ? 2_000 : 10_000;
        Report.section(String.format("%,d partitions on one node", count));
        Scheduler disk = new io.tributary.protocol.blocking.BlockingScheduler(8, 10_000, "bench-disk");
        long heapBefore = heapAfterGc();
        long fdsBefore = openFds();
        long mapsBefore = memoryMaps();
        List<Partition> partitions = new ArrayList<>(count);
        try (FileCache files = new FileCache(1024)) {
            PartitionSettings settings = new PartitionSettings(SEGMENTS, files, 600_000, 100_000, disk);
            ByteBuffer batch = distinctBatches(1, 10, 100).get(0);
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                PartitionId id = new PartitionId("bench", "many", "t", i);
                Partition p = new Partition(id, data.resolve("many").resolve(Integer.toString(i)), settings);
                p.append(batch.duplicate(), 1, false).block();
                p.cursors().commit("group-a", 5);
                partitions.add(p);
            }
            long elapsed = System.nanoTime() - t0;
            long heap = heapAfterGc() - heapBefore;
            Report.row("created, appended 10 records and committed a cursor in each", String.format("%.1f s", elapsed / 1e9));
            Report.row("heap after GC (all partitions open)", String.format("%,.1f MiB (%,d bytes per partition)",
                    heap / 1048576.0, heap / count));
            Report.row("open file descriptors (process, before -> after)", fdsBefore + " -> " + openFds()
                    + " (file cache limit 1024)");
            Report.row("memory maps (index files; vm.max_map_count is 65530 by default)", mapsBefore + " -> " + memoryMaps());
            partitions.forEach(Partition::close);
        } finally {
            disk.dispose();
        }
        clean(data.resolve("many"));
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long memoryMaps() throws IOException {
        try (Stream<String> s = Files.lines(Path.of("/proc/self/maps"))) {
            return s.count();
        }
    }

    // ---- 5. sync flush

    private void syncFlush() throws IOException {
        Report.section("Flush policy sync: acknowledged records per second, 1-record batches of 100 bytes");
        int records = quick ? 2_000 : 10_000;
        int inFlight = 64;
        Scheduler disk = new io.tributary.protocol.blocking.BlockingScheduler(16, 100_000, "bench-disk");
        ByteBuffer one = distinctBatches(1, 1, 100).get(0);
        try (FileCache files = new FileCache(64)) {
            PartitionSettings settings = new PartitionSettings(SEGMENTS, files, 600_000, 100_000, disk);
            Partition grouped = new Partition(new PartitionId("bench", "sync", "g", 0), data.resolve("sync-group"), settings);
            long t0 = System.nanoTime();
            Flux.range(0, records)
                    .flatMap(i -> reactor.core.publisher.Mono.defer(() -> grouped.append(one.duplicate(), 1, true))
                            .subscribeOn(disk), inFlight)
                    .blockLast(Duration.ofMinutes(10));
            long groupNs = System.nanoTime() - t0;
            long fsyncs = grouped.commits().fsyncCount();
            grouped.close();

            Partition single = new Partition(new PartitionId("bench", "sync", "s", 0), data.resolve("sync-single"), settings);
            int singles = records / 4;
            long t1 = System.nanoTime();
            for (int i = 0; i < singles; i++) {
                single.append(one.duplicate(), 1, false).block();
                single.log().flush();
            }
            long singleNs = System.nanoTime() - t1;
            single.close();
            double g = Report.rate(records, groupNs);
            double s = Report.rate(singles, singleNs);
            Report.row("group commit, " + inFlight + " appends in flight", String.format("%,.0f records/s, %,d fsyncs for %,d records",
                    g, fsyncs, records));
            Report.row("one fsync per record, sequential", String.format("%,.0f records/s", s));
            Report.row("group commit / one fsync per record", Report.ratio(g, s));
        } finally {
            disk.dispose();
        }
    }

    // ---- helpers

    /** {@code count} different batches of {@code perBatch} keyed records with random payloads. */
    private List<ByteBuffer> distinctBatches(int count, int perBatch, int payloadBytes) {
        List<ByteBuffer> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            RecordBatchBuilder builder = new RecordBatchBuilder();
            for (int i = 0; i < perBatch; i++) {
                byte[] payload = new byte[payloadBytes];
                random.nextBytes(payload);
                builder.add(RecordCodec.encode(new Record(-1, System.currentTimeMillis(), 0, 0,
                        ("key-" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8), null, null, Map.of(), payload, false)));
            }
            batches.add(builder.build());
        }
        return batches;
    }

    private static void clean(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
