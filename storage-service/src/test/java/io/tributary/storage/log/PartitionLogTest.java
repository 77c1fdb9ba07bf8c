package io.tributary.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log against a reference model: a list of the batches appended, with the offsets the
 * model assigns (each batch starts where the previous ended).
 */
class PartitionLogTest {
    @TempDir
    Path dir;

    /** What the model says each appended batch is: its bytes after offset/epoch assignment. */
    record Appended(long base, int count, ByteBuffer bytes, long firstTs) {
    }

    static List<Appended> appendAll(PartitionLog log, List<Integer> sizes) {
        List<Appended> model = new ArrayList<>();
        long next = 0;
        long ts = 1_000;
        for (int i = 0; i < sizes.size(); i++) {
            ByteBuffer b = TestBatches.batch("b" + i, sizes.get(i), ts);
            AppendResult r = log.append(b.duplicate(), 3);
            assertThat(r.baseOffset()).isEqualTo(next);
            assertThat(r.lastOffset()).isEqualTo(next + sizes.get(i) - 1);
            RecordBatch view = RecordBatch.view(b);
            view.setBaseOffset(next);
            view.setLeaderEpoch(3);
            model.add(new Appended(next, sizes.get(i), view.buffer(), ts));
            next += sizes.get(i);
            ts += 10;
        }
        return model;
    }

    @Property(tries = 60)
    void readsReturnWholeBatchesFromTheOneHoldingTheOffset(@ForAll @Size(min = 1, max = 30) List<@IntRange(min = 1, max = 8) Integer> sizes,
            @ForAll @IntRange(min = 0, max = 300) int offsetSeed, @ForAll @IntRange(min = 1, max = 5000) int maxBytes) throws IOException {
        // jqwik properties get no @TempDir: each try makes its own directory.
        Path d = Files.createTempDirectory("plog");
        try (PartitionLog log = PartitionLog.open(d)) {
            List<Appended> model = appendAll(log, sizes);
            long end = model.get(model.size() - 1).base() + model.get(model.size() - 1).count();
            long offset = offsetSeed % (end + 1);
            FetchResult r = log.read(offset, maxBytes);
            assertThat(r.logEndOffset()).isEqualTo(end);
            if (offset == end) {
                assertThat(r.isEmpty()).isTrue();
                return;
            }
            List<RecordBatch> got = RecordBatch.split(r.batches());
            int first = 0;
            while (model.get(first).base() + model.get(first).count() <= offset) {
                first++;
            }
            assertThat(got).isNotEmpty();
            int bytes = 0;
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).buffer()).isEqualTo(model.get(first + i).bytes());
                bytes += got.get(i).sizeInBytes();
            }
            // At least one batch; more only while they fit; stop before the next would not fit.
            assertThat(got.size() == 1 || bytes <= maxBytes).isTrue();
            int nextIndex = first + got.size();
            if (nextIndex < model.size() && bytes <= maxBytes) {
                assertThat(bytes + model.get(nextIndex).bytes().remaining()).isGreaterThan(maxBytes);
            }
        }
    }

    @Property(tries = 60)
    void recoveryKeepsEveryIntactBatchAndDropsATornOrCorruptTail(
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 5) Integer> sizes,
            @ForAll @IntRange(min = 1, max = 1_000_000) int cutSeed, @ForAll boolean corruptInsteadOfCut) throws IOException {
        Path d = Files.createTempDirectory("plog");
        List<Appended> model;
        try (PartitionLog log = PartitionLog.open(d)) {
            model = appendAll(log, sizes);
        }
        Path file = d.resolve(PartitionLog.FILE_NAME);
        long size = Files.size(file);
        long damageAt = cutSeed % size;
        if (corruptInsteadOfCut) {
            damageAt = skipLeaderEpochField(model, damageAt);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            if (corruptInsteadOfCut) {
                raf.seek(damageAt);
                int b = raf.read();
                raf.seek(damageAt);
                raf.write(b ^ 0xFF);
            } else {
                raf.setLength(damageAt);
            }
        }
        // The model: batches that end before the damaged byte survive; the damaged one and all after it go.
        List<Appended> intact = new ArrayList<>();
        long pos = 0;
        for (Appended a : model) {
            long endPos = pos + a.bytes().remaining();
            if (endPos <= damageAt) {
                intact.add(a);
            } else {
                break;
            }
            pos = endPos;
        }
        try (PartitionLog log = PartitionLog.open(d)) {
            long expectedEnd = intact.isEmpty() ? 0 : intact.get(intact.size() - 1).base() + intact.get(intact.size() - 1).count();
            assertThat(log.endOffset()).isEqualTo(expectedEnd);
            assertThat(log.sizeInBytes()).isEqualTo(pos);
            assertThat(Files.size(file)).isEqualTo(pos);
            if (!intact.isEmpty()) {
                List<RecordBatch> got = RecordBatch.split(log.read(0, Integer.MAX_VALUE).batches());
                assertThat(got).hasSize(intact.size());
                for (int i = 0; i < intact.size(); i++) {
                    assertThat(got.get(i).buffer()).isEqualTo(intact.get(i).bytes());
                }
            }
            // The log keeps working after recovery: the next append continues at the end.
            AppendResult r = log.append(TestBatches.batch("after", 2, 5), 4);
            assertThat(r.baseOffset()).isEqualTo(expectedEnd);
        }
    }

    /**
     * The leader epoch sits outside the CRC (so the leader can set it without recomputing the
     * checksum, as in Kafka): damage there is undetectable by design, so the corruption
     * property moves such a damage point to the next byte after the field.
     */
    static long skipLeaderEpochField(List<Appended> model, long damageAt) {
        long pos = 0;
        for (Appended a : model) {
            long epochStart = pos + RecordBatch.LEADER_EPOCH;
            if (damageAt >= epochStart && damageAt < epochStart + 4) {
                return epochStart + 4;
            }
            pos += a.bytes().remaining();
        }
        return damageAt;
    }

    @Test
    void refusesInvalidBatchesAndStoresNothing() {
        try (PartitionLog log = PartitionLog.open(dir)) {
            ByteBuffer b = TestBatches.batch("x", 3, 1);
            b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 1));
            assertThatThrownBy(() -> log.append(b, 1)).isInstanceOf(TributaryException.class)
                    .extracting(e -> ((TributaryException) e).type()).isEqualTo(ProblemType.MALFORMED_REQUEST);
            assertThat(log.endOffset()).isZero();
            assertThat(log.sizeInBytes()).isZero();
        }
    }

    @Test
    void offsetPastTheEndIsOutOfRange() {
        try (PartitionLog log = PartitionLog.open(dir)) {
            log.append(TestBatches.batch("x", 2, 1), 1);
            assertThat(log.read(2, 100).isEmpty()).isTrue();
            assertThatThrownBy(() -> log.read(3, 100)).isInstanceOf(TributaryException.class)
                    .extracting(e -> ((TributaryException) e).type()).isEqualTo(ProblemType.OFFSET_OUT_OF_RANGE);
        }
    }

    @Test
    void findsTheFirstRecordAtOrAfterATimestamp() {
        try (PartitionLog log = PartitionLog.open(dir)) {
            log.append(TestBatches.batch("a", 3, 100), 1); // offsets 0..2, ts 100..102
            log.append(TestBatches.batch("b", 3, 200), 1); // offsets 3..5, ts 200..202
            assertThat(log.offsetForTimestamp(0)).isEqualTo(0);
            assertThat(log.offsetForTimestamp(101)).isEqualTo(1);
            assertThat(log.offsetForTimestamp(150)).isEqualTo(3);
            assertThat(log.offsetForTimestamp(202)).isEqualTo(5);
            assertThat(log.offsetForTimestamp(203)).isEqualTo(6);
        }
    }

    @Test
    void recordsCarryTheirAssignedOffsets() {
        try (PartitionLog log = PartitionLog.open(dir)) {
            log.append(TestBatches.batch("a", 2, 1), 1);
            log.append(TestBatches.batch("b", 2, 1), 1);
            List<String> seen = new ArrayList<>();
            for (RecordBatch b : RecordBatch.split(log.read(1, 1 << 20).batches())) {
                for (Record r : b.records()) {
                    seen.add(r.offset() + "=" + new String(r.payload(), StandardCharsets.UTF_8));
                }
            }
            assertThat(seen).containsExactly("0=a-0", "1=a-1", "2=b-0", "3=b-1");
        }
    }
}
