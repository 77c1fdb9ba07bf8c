package io.tributary.storage.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.storage.TestBatches;
import io.tributary.storage.delay.ReleasedCopies;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.log.AppendResult;
import io.tributary.storage.log.LogRead;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionId;
import io.tributary.storage.partition.PartitionSettings;
import io.tributary.storage.segment.SegmentConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterTry;
import reactor.core.scheduler.Schedulers;

/**
 * Power loss, not just kill -9: random workloads on a partition whose files live on a
 * {@link SimulatedDisk}, cut by power losses at random points (with and without torn writes),
 * each followed by a restart. After every restart:
 * <ul>
 *   <li>every batch acknowledged with {@code sync} is there, byte for byte;</li>
 *   <li>every batch appended before a completed flush (the {@code replicated} policy's
 *       periodic fsync) is there;</li>
 *   <li>what the log serves is exactly what was appended at those offsets: recovery never
 *       serves garbage, and offsets continue where the surviving log ends;</li>
 *   <li>a committed position that was flushed survives, and any position is one that was committed;</li>
 *   <li>the producer that sent the last batch gets its original offsets back when it resends
 *       it, if and only if the batch survived;</li>
 *   <li>the delayed records pending are exactly those the surviving log holds without a
 *       released copy (none lost, none released twice, whatever the delay checkpoint on disk
 *       says).</li>
 * </ul>
 */
class PowerLossTest {
    sealed interface Step {
    }

    record Append(int records, boolean sync) implements Step {
    }

    record Flush() implements Step {
    }

    record Commit(String subscription) implements Step {
    }

    record Retention() implements Step {
    }

    record Resend() implements Step {
    }

    /** The leader releasing due delayed records: their copies appended. */
    record Release(boolean sync) implements Step {
    }

    record PowerLoss(boolean tear) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> workloads() {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.integers().between(1, 12).flatMap(n -> Arbitraries.of(true, false).map(s -> new Append(n, s)))),
                Tuple.of(3, Arbitraries.just(new Flush())),
                Tuple.of(3, Arbitraries.of("a", "b").map(Commit::new)),
                Tuple.of(1, Arbitraries.just(new Retention())),
                Tuple.of(2, Arbitraries.just(new Resend())),
                Tuple.of(3, Arbitraries.of(true, false).map(Release::new)),
                Tuple.of(2, Arbitraries.of(true, false).map(PowerLoss::new)));
        return step.list().ofMinSize(10).ofMaxSize(80);
    }

    /** One appended batch as the model knows it. */
    record Batch(long base, List<byte[]> payloads, long producer, int sequence) {
        long end() {
            return base + payloads.size();
        }
    }

    Path realDir;

    @AfterTry
    void cleanUp() throws Exception {
        if (realDir != null) {
            try (var walk = Files.walk(realDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Property(tries = 150)
    void whatWasMadeDurableSurvivesAndNothingElseIsInvented(@ForAll("workloads") List<Step> steps, @ForAll long seed) throws Exception {
        realDir = Files.createTempDirectory("power-loss");
        SimulatedDisk disk = new SimulatedDisk(realDir);
        Random random = new Random(seed);
        Path dir = disk.root().resolve("data").resolve("topic-id").resolve("0");
        Opened p = open(dir);

        List<Batch> log = new ArrayList<>(); // the model: every batch the partition took, in order
        long durableEnd = 0;                 // everything below was fsynced (acked sync, or flushed)
        long appendedSinceFlushEnd = 0;
        Map<String, List<Long>> committed = new HashMap<>();  // every position committed, per subscription
        Map<String, Long> durableCursor = new HashMap<>();    // the last position committed before a flush
        long producer = 1;
        int nextSequence = 0;
        int counter = 0;
        Map<Long, Long> delayedAt = new HashMap<>();  // offset of a delayed record -> its deliverAt
        Map<Long, Long> releaseOf = new HashMap<>();  // offset of a released copy -> the delayed record's offset

        for (Step step : steps) {
            if (step instanceof Append a) {
                List<byte[]> payloads = new ArrayList<>();
                Record[] records = new Record[a.records()];
                for (int i = 0; i < records.length; i++) {
                    byte[] payload = ("m" + counter++ + "-" + "x".repeat(random.nextInt(200))).getBytes();
                    payloads.add(payload);
                    long deliverAt = random.nextInt(3) == 0 ? 1000 + random.nextInt(1000) : 0;
                    records[i] = new Record(-1, System.currentTimeMillis(), deliverAt, 0, null, null, null, Map.of(), payload, false);
                }
                int sequence = nextSequence++;
                AppendResult r = p.partition.append(TestBatches.producerBatch(producer, sequence, records), 1, a.sync())
                        .block(Duration.ofSeconds(10));
                assertThat(r.baseOffset()).as("offsets continue where the log ends").isEqualTo(end(log));
                for (int i = 0; i < records.length; i++) {
                    if (records[i].scheduled()) {
                        delayedAt.put(r.baseOffset() + i, records[i].deliverAt());
                    }
                }
                log.add(new Batch(r.baseOffset(), payloads, producer, sequence));
                if (a.sync()) {
                    durableEnd = end(log);
                }
                appendedSinceFlushEnd = end(log);
            } else if (step instanceof Flush) {
                p.partition.flush();
                durableEnd = Math.max(durableEnd, appendedSinceFlushEnd);
                committed.forEach((sub, values) -> durableCursor.put(sub, values.get(values.size() - 1)));
            } else if (step instanceof Commit c) {
                // Consumers mostly commit what they just read: the end, half of the time.
                long position = end(log) == 0 || random.nextBoolean() ? end(log) : random.nextLong(end(log) + 1);
                long now = p.partition.cursors().commit(c.subscription(), position).offset();
                committed.computeIfAbsent(c.subscription(), k -> new ArrayList<>()).add(now);
            } else if (step instanceof Retention) {
                p.partition.log().applyRetention(-1, 2_000, System.currentTimeMillis(), p.partition.delays().retentionFloor(p.partition.highWatermark().value()));
            } else if (step instanceof Release rel) {
                List<Long> due = p.partition.delays().takeDue(1000 + random.nextInt(1000), 1 + random.nextInt(6));
                ReleasedCopies.Built built = ReleasedCopies.of(p.partition.log(), due);
                assertThat(built.missing()).as("retention kept every pending delayed record").isEmpty();
                if (built.batch() != null) {
                    AppendResult r = p.partition.append(built.batch(), 1, rel.sync()).block(Duration.ofSeconds(10));
                    List<byte[]> payloads = new ArrayList<>();
                    for (int i = 0; i < built.released().size(); i++) {
                        releaseOf.put(r.baseOffset() + i, built.released().get(i));
                        payloads.add(payloadAt(log, built.released().get(i)));
                    }
                    log.add(new Batch(r.baseOffset(), payloads, -1, -1));
                    if (rel.sync()) {
                        durableEnd = end(log);
                    }
                    appendedSinceFlushEnd = end(log);
                }
                p.partition.delays().abandon(due);
            } else if (step instanceof Resend && !log.isEmpty() && log.get(log.size() - 1).producer() >= 0
                    && log.get(log.size() - 1).base() >= p.partition.log().startOffset()) { // retention forgets, as it should
                Batch last = log.get(log.size() - 1);
                AppendResult r = resend(p.partition, last);
                assertThat(r.baseOffset()).as("a resent batch is answered with its original offsets").isEqualTo(last.base());
                assertThat(p.partition.log().endOffset()).as("and not stored again").isEqualTo(end(log));
            } else if (step instanceof PowerLoss loss) {
                disk.powerLoss(random, loss.tear());
                p.files.close();
                p = open(dir);
                long recoveredEnd = p.partition.log().endOffset();
                assertThat(recoveredEnd).as("nothing durable was lost (durable up to %d)", durableEnd).isGreaterThanOrEqualTo(durableEnd);
                assertThat(recoveredEnd).as("nothing invented").isLessThanOrEqualTo(end(log));
                checkServedMatchesModel(p.partition, log, recoveredEnd);
                Batch last = log.isEmpty() ? null : log.get(log.size() - 1);
                // The model forgets what did not survive; later appends continue from the recovered end.
                log.removeIf(b -> b.end() > recoveredEnd);
                delayedAt.keySet().removeIf(o -> o >= recoveredEnd);
                releaseOf.keySet().removeIf(o -> o >= recoveredEnd);
                Map<Long, Long> pending = new java.util.TreeMap<>(delayedAt);
                releaseOf.values().forEach(pending::remove);
                assertThat(p.partition.delays().pendingByOffset()).as("pending delayed records after the power loss")
                        .isEqualTo(pending);
                if (last != null && last.producer() >= 0 && last.end() <= recoveredEnd
                        && last.base() >= p.partition.log().startOffset()) {
                    AppendResult r = resend(p.partition, last);
                    assertThat(r.baseOffset()).as("the producer state was rebuilt from the log").isEqualTo(last.base());
                }
                appendedSinceFlushEnd = Math.min(appendedSinceFlushEnd, recoveredEnd);
                checkCursors(p.partition, committed, durableCursor, recoveredEnd);
                // What survived is durable now; what did not is forgotten.
                for (String sub : List.copyOf(committed.keySet())) {
                    Long now = p.partition.cursors().get(sub).orElse(null);
                    if (now == null) {
                        committed.remove(sub);
                        durableCursor.remove(sub);
                    } else {
                        committed.put(sub, new ArrayList<>(List.of(now)));
                        durableCursor.put(sub, now);
                    }
                }
                producer++; // routing would start a new chain after failed appends
                nextSequence = 0;
            }
        }
        p.partition.close();
        p.files.close();
    }

    /** A partition on the disk, with its own file cache (a restarted process has a new one). */
    record Opened(Partition partition, FileCache files) {
    }

    static Opened open(Path dir) {
        FileCache files = new FileCache(6);
        PartitionSettings settings = new PartitionSettings(new SegmentConfig(1500, 3_600_000, 256), files, 600_000, 10_000,
                Schedulers.immediate());
        return new Opened(new Partition(new PartitionId("v", "t", "topic-id", 0), dir, settings), files);
    }

    static byte[] payloadAt(List<Batch> log, long offset) {
        for (Batch b : log) {
            if (offset >= b.base() && offset < b.end()) {
                return b.payloads().get((int) (offset - b.base()));
            }
        }
        throw new AssertionError("no record at " + offset + " in the model");
    }

    static long end(List<Batch> log) {
        return log.isEmpty() ? 0 : log.get(log.size() - 1).end();
    }

    static AppendResult resend(Partition p, Batch b) {
        Record[] records = b.payloads().stream()
                .map(x -> TestBatches.record(null, System.currentTimeMillis(), new String(x), null)).toArray(Record[]::new);
        try {
            return p.append(TestBatches.producerBatch(b.producer(), b.sequence(), records), 1, false).block(Duration.ofSeconds(10));
        } catch (TributaryException e) {
            throw new AssertionError("resending batch " + b.sequence() + " of producer " + b.producer() + ": " + e.getMessage(), e);
        }
    }

    /** Reads the whole retained log back: every record is the one the model has at that offset. */
    static void checkServedMatchesModel(Partition p, List<Batch> log, long end) {
        Map<Long, byte[]> expected = new HashMap<>();
        for (Batch b : log) {
            for (int i = 0; i < b.payloads().size(); i++) {
                expected.put(b.base() + i, b.payloads().get(i));
            }
        }
        long next = p.log().startOffset();
        while (next < end) {
            LogRead r = p.read(next, 64 * 1024);
            ByteBuffer bytes = r.isFileRegion() ? readRegion(r) : r.bytes();
            assertThat(bytes.hasRemaining()).as("a read at %d below the end %d returns data", next, end).isTrue();
            for (RecordBatch batch : RecordBatch.split(bytes)) {
                assertThat(batch.isValid()).isTrue();
                for (Record rec : batch.records()) {
                    if (rec.offset() < next) {
                        continue;
                    }
                    assertThat(rec.offset()).isEqualTo(next);
                    assertThat(Arrays.equals(rec.payload(), expected.get(rec.offset())))
                            .as("offset %d serves what was appended there", rec.offset()).isTrue();
                    next++;
                }
            }
        }
    }

    static ByteBuffer readRegion(LogRead r) {
        try (var ch = java.nio.channels.FileChannel.open(r.file())) {
            ByteBuffer b = ByteBuffer.allocate(r.length());
            while (b.hasRemaining() && ch.read(b, r.position() + b.position()) >= 0) {
                // fill
            }
            return b.flip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A cursor keeps what was flushed (or the log end, if the log lost its tail below it), and
     * is always a position that was committed, or the log end when it pointed past it.
     */
    static void checkCursors(Partition p, Map<String, List<Long>> committed, Map<String, Long> durable, long logEnd) {
        for (Map.Entry<String, List<Long>> e : committed.entrySet()) {
            Long now = p.cursors().get(e.getKey()).orElse(null);
            Long mustHave = durable.get(e.getKey());
            if (mustHave != null) {
                assertThat(now).as("cursor %s after the crash", e.getKey()).isNotNull();
                assertThat(now).as("cursor %s keeps what was flushed", e.getKey()).isGreaterThanOrEqualTo(Math.min(mustHave, logEnd));
            }
            if (now != null) {
                assertThat(now).as("cursor %s is within the log", e.getKey()).isLessThanOrEqualTo(logEnd);
                assertThat(e.getValue().stream().map(c -> Math.min(c, logEnd)).toList())
                        .as("cursor %s is a position that was committed", e.getKey()).contains(now);
            }
        }
    }

    /** The log loses an unsynced tail that a flushed cursor had passed: the cursor comes back to the log end. */
    @org.junit.jupiter.api.Test
    void aCursorPastTheSurvivingLogIsBroughtBackToItsEnd() throws Exception {
        realDir = Files.createTempDirectory("power-loss");
        try {
            SimulatedDisk disk = new SimulatedDisk(realDir);
            Path dir = disk.root().resolve("data").resolve("topic-id").resolve("0");
            Opened p = open(dir);
            p.partition.append(TestBatches.producerBatch(1, 0, TestBatches.record(null, 1, "durable", null)), 1, true)
                    .block(Duration.ofSeconds(10));
            p.partition.append(TestBatches.producerBatch(1, 1, TestBatches.record(null, 1, "a", null),
                    TestBatches.record(null, 1, "b", null)), 1, false).block(Duration.ofSeconds(10));
            p.partition.cursors().commit("sub", 3);
            p.partition.cursors().flush(); // the cursor is durable, the last two records are not
            disk.powerLoss(new Random(1), false);
            p.files.close();
            Opened again = open(dir);
            assertThat(again.partition.log().endOffset()).isEqualTo(1);
            assertThat(again.partition.cursors().get("sub")).contains(1L);
            again.partition.close();
            again.files.close();
        } finally {
            cleanUp();
        }
    }
}
