package io.tributary.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.storage.TestBatches;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.segment.SegmentConfig;
import io.tributary.storage.segment.SegmentFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The segmented log against a reference model: the list of batches appended, each with the
 * offsets the model assigns (every batch starts where the previous ended).
 */
class PartitionLogTest {
    /** Small segments so that a few dozen batches span many of them. */
    static final SegmentConfig SMALL = new SegmentConfig(2048, 3_600_000, 256);
    final FileCache files = new FileCache(16);

    @AfterEach
    void closeFiles() {
        files.close();
    }

    /** A batch as the model expects to read it back: its bytes after offset and epoch assignment. */
    record Appended(long base, int count, ByteBuffer bytes) {
        long next() {
            return base + count;
        }
    }

    static List<Appended> appendAll(PartitionLog log, List<Integer> sizes, long firstTimestamp) {
        List<Appended> model = new ArrayList<>();
        long next = log.endOffset();
        long ts = firstTimestamp;
        for (int i = 0; i < sizes.size(); i++) {
            ByteBuffer b = TestBatches.batch("b" + i, sizes.get(i), ts);
            AppendResult r = log.append(b.duplicate(), 3);
            assertThat(r.baseOffset()).isEqualTo(next);
            assertThat(r.lastOffset()).isEqualTo(next + sizes.get(i) - 1);
            RecordBatch view = RecordBatch.view(b);
            view.setBaseOffset(next);
            view.setLeaderEpoch(3);
            model.add(new Appended(next, sizes.get(i), view.buffer()));
            next += sizes.get(i);
            ts += 10;
        }
        return model;
    }

    static ByteBuffer bytesOf(LogRead r) {
        return io.tributary.storage.TestBatches.bytesOf(r);
    }

    /** Reads the whole log front to back, as a consumer would. */
    static List<RecordBatch> readAll(PartitionLog log) throws IOException {
        List<RecordBatch> all = new ArrayList<>();
        long offset = log.startOffset();
        while (offset < log.endOffset()) {
            LogRead r = log.read(offset, 700);
            List<RecordBatch> got = RecordBatch.split(bytesOf(r));
            assertThat(got).isNotEmpty();
            all.addAll(got);
            offset = got.get(got.size() - 1).nextOffset();
        }
        return all;
    }

    @Property(tries = 80)
    void readsReturnWholeBatchesFromTheOneHoldingTheOffsetAcrossSegments(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 1, max = 6) Integer> sizes,
            @ForAll @IntRange(min = 0, max = 400) int offsetSeed, @ForAll @IntRange(min = 1, max = 3000) int maxBytes) throws IOException {
        Path dir = Files.createTempDirectory("plog");
        try (PartitionLog log = PartitionLog.open(dir, SMALL, files)) {
            List<Appended> model = appendAll(log, sizes, 1000);
            long end = model.get(model.size() - 1).next();
            assertThat(log.endOffset()).isEqualTo(end);
            long offset = offsetSeed % (end + 1);
            LogRead r = log.read(offset, maxBytes);
            if (offset == end) {
                assertThat(r.isEmpty()).isTrue();
                return;
            }
            List<RecordBatch> got = RecordBatch.split(bytesOf(r));
            int first = 0;
            while (model.get(first).next() <= offset) {
                first++;
            }
            assertThat(got).isNotEmpty();
            int bytes = 0;
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).buffer()).isEqualTo(model.get(first + i).bytes());
                bytes += got.get(i).sizeInBytes();
            }
            assertThat(got.size() == 1 || bytes <= maxBytes).isTrue();
            // the whole log reads back byte for byte, batch by batch
            List<RecordBatch> all = readAll(log);
            assertThat(all).hasSize(model.size());
            for (int i = 0; i < model.size(); i++) {
                assertThat(all.get(i).buffer()).isEqualTo(model.get(i).bytes());
            }
            assertThat(log.segmentCount()).isGreaterThanOrEqualTo(1);
        }
    }

    @Property(tries = 80)
    void recoveryKeepsEveryIntactBatchAndDropsATornOrCorruptTail(
            @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 1, max = 5) Integer> sizes,
            @ForAll @IntRange(min = 0, max = 1_000_000) int damageSeed, @ForAll boolean corruptInsteadOfCut) throws IOException {
        Path dir = Files.createTempDirectory("plog");
        List<Appended> model;
        try (PartitionLog log = PartitionLog.open(dir, SMALL, files)) {
            model = appendAll(log, sizes, 1000);
        }
        // Damage the active segment (the last .log file): the only one recovery scans.
        Path active;
        try (Stream<Path> s = Files.list(dir)) {
            active = s.filter(p -> p.toString().endsWith(SegmentFiles.LOG)).sorted().reduce((a, b) -> b).orElseThrow();
        }
        long activeBase = SegmentFiles.baseOffsetOf(active.getFileName().toString());
        long size = Files.size(active);
        if (size == 0) {
            return;
        }
        long damageAt = damageSeed % size;
        List<Appended> inActive = model.stream().filter(a -> a.base() >= activeBase).toList();
        if (corruptInsteadOfCut) {
            damageAt = skipLeaderEpochField(inActive, damageAt);
            if (damageAt >= size) {
                return;
            }
        }
        try (RandomAccessFile raf = new RandomAccessFile(active.toFile(), "rw")) {
            if (corruptInsteadOfCut) {
                raf.seek(damageAt);
                int b = raf.read();
                raf.seek(damageAt);
                raf.write(b ^ 0xFF);
            } else {
                raf.setLength(damageAt);
            }
        }
        List<Appended> intact = new ArrayList<>(model.stream().filter(a -> a.base() < activeBase).toList());
        long pos = 0;
        for (Appended a : inActive) {
            if (pos + a.bytes().remaining() > damageAt) {
                break;
            }
            intact.add(a);
            pos += a.bytes().remaining();
        }
        try (FileCache files2 = new FileCache(16); PartitionLog log = PartitionLog.open(dir, SMALL, files2)) {
            long expectedEnd = intact.isEmpty() ? activeBase : intact.get(intact.size() - 1).next();
            assertThat(log.endOffset()).isEqualTo(Math.max(expectedEnd, activeBase));
            assertThat(Files.size(active)).isEqualTo(pos);
            List<RecordBatch> all = readAll(log);
            assertThat(all).hasSize(intact.size());
            for (int i = 0; i < intact.size(); i++) {
                assertThat(all.get(i).buffer()).isEqualTo(intact.get(i).bytes());
            }
            AppendResult r = log.append(TestBatches.batch("after", 2, 5), 4);
            assertThat(r.baseOffset()).isEqualTo(log.endOffset() - 2);
        }
    }

    /** The leader epoch is outside the CRC by design (Kafka's layout); damage there is moved past the field. */
    static long skipLeaderEpochField(List<Appended> batches, long damageAt) {
        long pos = 0;
        for (Appended a : batches) {
            long epochStart = pos + RecordBatch.LEADER_EPOCH;
            if (damageAt >= epochStart && damageAt < epochStart + 4) {
                return epochStart + 4;
            }
            pos += a.bytes().remaining();
        }
        return damageAt;
    }

    @Test
    void aCorruptBatchInASealedSegmentIsReportedAndNothingPastItIsServed() throws IOException {
        Path dir = Files.createTempDirectory("plog");
        List<Appended> model;
        try (PartitionLog log = PartitionLog.open(dir, SMALL, files)) {
            model = appendAll(log, java.util.Collections.nCopies(40, 3), 1000);
            assertThat(log.segmentCount()).isGreaterThan(2);
        }
        // Flip a payload byte of a batch in the second segment (sealed, never scanned on open).
        List<Path> logs;
        try (Stream<Path> s = Files.list(dir)) {
            logs = s.filter(p -> p.toString().endsWith(SegmentFiles.LOG)).sorted().toList();
        }
        Path second = logs.get(1);
        long secondBase = SegmentFiles.baseOffsetOf(second.getFileName().toString());
        Appended victim = model.stream().filter(a -> a.base() >= secondBase).skip(1).findFirst().orElseThrow();
        long victimPos = model.stream().filter(a -> a.base() >= secondBase && a.base() < victim.base())
                .mapToLong(a -> a.bytes().remaining()).sum();
        try (RandomAccessFile raf = new RandomAccessFile(second.toFile(), "rw")) {
            raf.seek(victimPos + victim.bytes().remaining() - 2);
            int b = raf.read();
            raf.seek(victimPos + victim.bytes().remaining() - 2);
            raf.write(b ^ 0x01);
        }
        try (FileCache files2 = new FileCache(16); PartitionLog log = PartitionLog.open(dir, SMALL, files2)) {
            // Everything before the damaged batch is served.
            LogRead before = log.read(0, 100_000);
            assertThat(RecordBatch.split(bytesOf(before))).isNotEmpty();
            long offset = 0;
            while (offset < victim.base()) {
                List<RecordBatch> got = RecordBatch.split(bytesOf(log.read(offset, 100_000)));
                offset = got.get(got.size() - 1).nextOffset();
            }
            assertThat(offset).isEqualTo(victim.base());
            // Reading the damaged batch names the segment and the offset, and so does anything after it.
            assertThatThrownBy(() -> log.read(victim.base(), 100_000))
                    .isInstanceOf(TributaryException.class)
                    .hasMessageContaining(second.getFileName().toString())
                    .hasMessageContaining("offset " + victim.base())
                    .extracting(e -> ((TributaryException) e).type()).isEqualTo(ProblemType.CORRUPT_LOG);
            assertThatThrownBy(() -> log.read(model.get(model.size() - 1).base(), 100_000))
                    .isInstanceOf(TributaryException.class).hasMessageContaining(second.getFileName().toString());
        }
    }

    @Test
    void missingOrDamagedIndexesAreRebuilt() throws IOException {
        Path dir = Files.createTempDirectory("plog");
        List<Appended> model;
        try (PartitionLog log = PartitionLog.open(dir, SMALL, files)) {
            model = appendAll(log, java.util.Collections.nCopies(40, 3), 1000);
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(SegmentFiles.OFFSET_INDEX)) {
                    Files.write(p, new byte[] {1, 2, 3}); // not a whole entry
                } else if (n.endsWith(SegmentFiles.KEY_INDEX) || n.endsWith(SegmentFiles.TIME_INDEX)) {
                    Files.delete(p);
                }
            }
        }
        try (FileCache files2 = new FileCache(16); PartitionLog log = PartitionLog.open(dir, SMALL, files2)) {
            List<RecordBatch> all = readAll(log);
            assertThat(all).hasSize(model.size());
            for (int i = 0; i < model.size(); i++) {
                assertThat(all.get(i).buffer()).isEqualTo(model.get(i).bytes());
            }
            assertThat(log.findByKey("k1".getBytes(StandardCharsets.UTF_8), 3)).hasSize(3);
            assertThat(log.offsetForTimestamp(1000 + 10 * 20)).isEqualTo(model.get(20).base());
        }
    }

    @Test
    void offsetForTimestampMatchesABruteForceSearch() throws IOException {
        Path dir = Files.createTempDirectory("plog");
        try (PartitionLog log = PartitionLog.open(dir, SMALL, files)) {
            List<Appended> model = appendAll(log, java.util.Collections.nCopies(50, 4), 1000); // ts 1000+10i+j
            for (long t = 990; t <= 1000 + 10 * 50 + 5; t += 3) {
                long expected = log.endOffset();
                outer:
                for (Appended a : model) {
                    for (Record r : RecordBatch.view(a.bytes().duplicate()).records()) {
                        if (r.timestamp() >= t) {
                            expected = r.offset();
                            break outer;
                        }
                    }
                }
                assertThat(log.offsetForTimestamp(t)).as("t=" + t).isEqualTo(expected);
            }
        }
    }

    @Test
    void keyLookupFindsEveryRecordOfAKeyNewestFirstAcrossSegments() throws IOException {
        Path dir = Files.createTempDirectory("plog");
        try (PartitionLog log = PartitionLog.open(dir, SMALL, files)) {
            List<Appended> model = appendAll(log, java.util.Collections.nCopies(40, 4), 1000); // keys k0..k3 in each batch
            List<Long> expected = new ArrayList<>();
            for (Appended a : model) {
                for (Record r : RecordBatch.view(a.bytes().duplicate()).records()) {
                    if (new String(r.key(), StandardCharsets.UTF_8).equals("k2")) {
                        expected.add(0, r.offset());
                    }
                }
            }
            List<Record> found = log.findByKey("k2".getBytes(StandardCharsets.UTF_8), 1000);
            assertThat(found).extracting(Record::offset).isEqualTo(expected);
            assertThat(log.findByKey("k2".getBytes(StandardCharsets.UTF_8), 5)).extracting(Record::offset).isEqualTo(expected.subList(0, 5));
            assertThat(log.findByKey("nobody".getBytes(StandardCharsets.UTF_8), 5)).isEmpty();
        }
    }

    @Test
    void retentionDeletesWholeOldSegmentsByTimeAndBySize() throws IOException {
        Path dir = Files.createTempDirectory("plog");
        try (PartitionLog log = PartitionLog.open(dir, SMALL, files)) {
            appendAll(log, java.util.Collections.nCopies(40, 3), 1000);
            int segments = log.segmentCount();
            long size = log.sizeInBytes();
            assertThat(segments).isGreaterThan(3);
            // by size: keep at least 3000 bytes
            int deleted = log.applyRetention(-1, 3000, 10_000);
            assertThat(deleted).isGreaterThan(0);
            assertThat(log.sizeInBytes()).isGreaterThanOrEqualTo(3000).isLessThan(size);
            assertThat(log.startOffset()).isGreaterThan(0);
            LogRead r = log.read(0, 1000); // below the log start: served from the start
            assertThat(RecordBatch.split(bytesOf(r)).get(0).baseOffset()).isEqualTo(log.startOffset());
            // by time: everything is older than 1 ms at t = 10^9: the active segment rolls, and all goes
            log.applyRetention(1, -1, 1_000_000_000L);
            assertThat(log.startOffset()).isEqualTo(log.endOffset());
            assertThat(log.sizeInBytes()).isZero();
            assertThat(log.read(log.endOffset(), 100).isEmpty()).isTrue();
            AppendResult after = log.append(TestBatches.batch("x", 1, 5), 1);
            assertThat(after.baseOffset()).isEqualTo(log.startOffset());
        }
    }

    @Test
    void theActiveSegmentRollsByAge() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("plog");
        try (PartitionLog log = PartitionLog.open(dir, new SegmentConfig(1 << 20, 50, 256), files)) {
            log.append(TestBatches.batch("a", 1, 1), 1);
            Thread.sleep(80);
            log.append(TestBatches.batch("b", 1, 2), 1);
            assertThat(log.segmentCount()).isEqualTo(2);
        }
    }

    @Test
    void aFullDiskFailsTheAppendWithUnavailableAndLeavesNothingPartial() throws IOException {
        Path dir = Files.createTempDirectory("plog");
        FullDisk disk = new FullDisk();
        try (FileCache failing = new FileCache(16, disk::open); PartitionLog log = PartitionLog.open(dir, SMALL, failing)) {
            appendAll(log, List.of(3, 3), 1000);
            long end = log.endOffset();
            long size = log.sizeInBytes();
            disk.bytesLeft = 40; // the next write gets 40 bytes in, then fails
            assertThatThrownBy(() -> log.append(TestBatches.batch("big", 5, 1), 1))
                    .isInstanceOf(TributaryException.class)
                    .extracting(e -> ((TributaryException) e).type()).isEqualTo(ProblemType.UNAVAILABLE);
            assertThat(log.endOffset()).isEqualTo(end);
            assertThat(log.sizeInBytes()).isEqualTo(size);
            disk.bytesLeft = Long.MAX_VALUE;
            AppendResult r = log.append(TestBatches.batch("ok", 2, 1), 1);
            assertThat(r.baseOffset()).isEqualTo(end);
        }
        try (FileCache files2 = new FileCache(16); PartitionLog log = PartitionLog.open(dir, SMALL, files2)) {
            assertThat(log.recovery().get(0).truncatedBytes()).isZero();
            assertThat(readAll(log)).extracting(RecordBatch::recordCount).containsExactly(3, 3, 2);
        }
    }

    /** Channels that fail with "No space left on device" once a byte budget is used up, after a partial write. */
    static final class FullDisk {
        volatile long bytesLeft = Long.MAX_VALUE;

        FileChannel open(Path path) throws IOException {
            FileChannel real = FileChannel.open(path, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
            return new DelegatingChannel(real) {
                @Override
                public int write(ByteBuffer src, long position) throws IOException {
                    if (bytesLeft <= 0) {
                        throw new IOException("No space left on device");
                    }
                    int n = (int) Math.min(src.remaining(), bytesLeft);
                    ByteBuffer part = src.duplicate();
                    part.limit(part.position() + n);
                    int written = real.write(part, position);
                    src.position(src.position() + written);
                    if (bytesLeft != Long.MAX_VALUE) {
                        bytesLeft -= written;
                    }
                    return written;
                }
            };
        }
    }

    /**
     * A follower's log: batches copied from a leader's log byte for byte, then cut back at a
     * random batch boundary (a new leader without the tail) and continued: it reads back as
     * exactly the leader's batches up to the cut plus the new ones, across segments, and
     * survives a reopen.
     */
    @Property(tries = 60)
    void aFollowerCopiesBatchesByteForByteAndTruncatesToAnyBatchBoundary(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 6) Integer> sizes,
            @ForAll @IntRange(min = 0, max = 1000) int cutSeed, @ForAll @Size(max = 10) List<@IntRange(min = 1, max = 4) Integer> more)
            throws IOException {
        Path leaderDir = Files.createTempDirectory("leader");
        Path followerDir = Files.createTempDirectory("follower");
        List<Appended> model;
        try (PartitionLog leader = PartitionLog.open(leaderDir, SMALL, files);
             PartitionLog follower = PartitionLog.open(followerDir, SMALL, files)) {
            model = appendAll(leader, sizes, 1000);
            for (Appended a : model) {
                follower.appendReplicated(RecordBatch.view(a.bytes().duplicate()));
            }
            assertThat(readAll(follower)).extracting(RecordBatch::buffer).containsExactlyElementsOf(
                    model.stream().map(Appended::bytes).toList());
            int keep = cutSeed % (model.size() + 1);
            long cut = keep == 0 ? 0 : model.get(keep - 1).next();
            follower.truncateTo(cut);
            assertThat(follower.endOffset()).isEqualTo(cut);
            List<Appended> expected = new ArrayList<>(model.subList(0, keep));
            expected.addAll(appendAll(follower, more, 5000));
            assertThat(readAll(follower)).extracting(RecordBatch::buffer).containsExactlyElementsOf(
                    expected.stream().map(Appended::bytes).toList());
        }
        try (PartitionLog reopened = PartitionLog.open(followerDir, SMALL, files)) {
            assertThat(reopened.recovery()).allSatisfy(r -> assertThat(r.problem()).isNull());
        }
    }

    @Test
    void aReplicatedBatchMustFollowTheLogEnd() throws IOException {
        try (PartitionLog log = PartitionLog.open(Files.createTempDirectory("plog"), SMALL, files)) {
            ByteBuffer b = TestBatches.batch("x", 2, 1);
            RecordBatch.view(b).setBaseOffset(5);
            assertThatThrownBy(() -> log.appendReplicated(RecordBatch.view(b))).isInstanceOf(TributaryException.class);
            assertThat(log.endOffset()).isZero();
        }
    }

    /** Reads never hand out a batch that ends past the limit (the high watermark). */
    @Property(tries = 60)
    void readsStopAtTheVisibleLimit(@ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 6) Integer> sizes,
            @ForAll @IntRange(min = 0, max = 1000) int limitSeed, @ForAll @IntRange(min = 0, max = 1000) int fromSeed) throws IOException {
        try (PartitionLog log = PartitionLog.open(Files.createTempDirectory("plog"), SMALL, files)) {
            List<Appended> model = appendAll(log, sizes, 1000);
            long upTo = model.get(limitSeed % model.size()).next();
            long from = fromSeed % (log.endOffset() + 1);
            List<RecordBatch> got = RecordBatch.split(bytesOf(log.read(from, 100_000, upTo)));
            List<Appended> expected = model.stream().filter(a -> a.next() > from && a.next() <= upTo).toList();
            assertThat(got).extracting(RecordBatch::buffer).containsExactlyElementsOf(
                    expected.stream().map(Appended::bytes).limit(got.size()).toList());
            assertThat(got.isEmpty()).isEqualTo(expected.isEmpty());
            assertThat(got).allSatisfy(b -> assertThat(b.nextOffset()).isLessThanOrEqualTo(upTo));
        }
    }
}
