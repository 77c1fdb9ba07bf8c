package io.tributary.storage.log;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.CorruptRecordException;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.storage.files.Directories;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.retention.RetentionPolicy;
import io.tributary.storage.segment.CorruptSegmentException;
import io.tributary.storage.segment.LogSegment;
import io.tributary.storage.segment.SegmentConfig;
import io.tributary.storage.segment.SegmentFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: segments named by base offset (Kafka's layout, see
 * {@link SegmentFiles}), the last one active. Appends go to the active segment, which rolls
 * by size and age; reads find their segment by base offset and their position through the
 * segment's sparse index, so both cost the same on an empty log and on a huge backlog.
 * Retention deletes whole old segments.
 *
 * <p>Recovery on open scans only the active segment (cutting a torn tail off); sealed
 * segments are trusted, with their indexes checked and rebuilt if damaged. Their batches are
 * verified the first time they are read: a damaged one in the middle of the log is reported
 * by segment and offset, and nothing at or past it is served.
 *
 * <p>Mutations (append, roll, retention, truncation) are serialized by the monitor; reads run
 * concurrently. Every method may block on disk.
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionLog.class);

    private final Path dir;
    private final SegmentConfig config;
    private final FileCache files;
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private volatile LogSegment active;
    private volatile CorruptSegmentException corruption;
    private final List<LogSegment.Recovery> recovery = new ArrayList<>();

    private PartitionLog(Path dir, SegmentConfig config, FileCache files) {
        this.dir = dir;
        this.config = config;
        this.files = files;
    }

    public static PartitionLog open(Path dir, SegmentConfig config, FileCache files) {
        PartitionLog pl = new PartitionLog(dir, config, files);
        pl.load();
        return pl;
    }

    private void load() {
        long[] bases;
        try {
            Directories.create(dir);
            try (Stream<Path> list = Files.list(dir)) {
                bases = list.map(p -> SegmentFiles.baseOffsetOf(p.getFileName().toString()))
                        .filter(b -> b >= 0).mapToLong(Long::longValue).sorted().toArray();
            }
            try (Stream<Path> list = Files.list(dir)) {
                for (Path stray : list.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) {
                    Files.deleteIfExists(stray); // an interrupted index rewrite
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (bases.length == 0) {
            active = LogSegment.create(dir, 0, config, files);
            segments.put(0L, active);
            return;
        }
        for (int i = 0; i < bases.length - 1; i++) {
            segments.put(bases[i], LogSegment.openSealed(dir, bases[i], bases[i + 1], config, files));
        }
        long last = bases[bases.length - 1];
        active = LogSegment.recoverActive(dir, last, config, files, recovery);
        segments.put(last, active);
    }

    /** What recovering the active segment found (for logs and tests). */
    public List<LogSegment.Recovery> recovery() {
        return List.copyOf(recovery);
    }

    /**
     * Validates the batch, writes the next offset and {@code leaderEpoch} into its header and
     * appends it, rolling the active segment first if it is full or old. An invalid batch is
     * refused whole; a failed write (a full disk) leaves nothing behind and answers
     * {@code unavailable}.
     */
    public AppendResult append(ByteBuffer batchBytes, int leaderEpoch) {
        return append(validate(batchBytes), leaderEpoch);
    }

    /** Views and checks a batch as received: one whole batch, CRC and structure intact. */
    public static RecordBatch validate(ByteBuffer batchBytes) {
        try {
            RecordBatch batch = RecordBatch.view(batchBytes);
            if (batch.sizeInBytes() != batchBytes.remaining()) {
                throw new CorruptRecordException("body holds " + batchBytes.remaining() + " bytes, batch " + batch.sizeInBytes());
            }
            batch.validate();
            return batch;
        } catch (CorruptRecordException e) {
            throw TributaryException.malformed("invalid record batch: " + e.getMessage());
        }
    }

    /** Appends a batch that {@link #validate} accepted. */
    public synchronized AppendResult append(RecordBatch batch, int leaderEpoch) {
        long base = active.nextOffset();
        batch.setBaseOffset(base);
        batch.setLeaderEpoch(leaderEpoch);
        write(batch);
        return new AppendResult(base, batch.lastOffset(), batch.nextOffset());
    }

    /**
     * Appends a batch copied from the leader, byte for byte: its offsets and epoch were
     * assigned there and must follow on from this log's end.
     */
    public synchronized void appendReplicated(RecordBatch batch) {
        if (batch.baseOffset() != active.nextOffset()) {
            throw new TributaryException(ProblemType.INVALID_ARGUMENT, "a replicated batch at offset " + batch.baseOffset()
                    + " does not follow this log's end " + active.nextOffset());
        }
        write(batch);
    }

    private void write(RecordBatch batch) {
        try {
            if (active.shouldRoll(batch.sizeInBytes(), System.currentTimeMillis())) {
                roll();
            }
            active.append(batch);
        } catch (IOException | UncheckedIOException e) {
            throw new TributaryException(ProblemType.UNAVAILABLE, "this storage node cannot write: " + e.getMessage(),
                    Duration.ofSeconds(5), e);
        }
    }

    /**
     * Cuts the log back to {@code offset} (a batch boundary at or below the end): a follower
     * dropping what a new leader does not have. Segments wholly past it are deleted; the one
     * holding it is cut at that batch and becomes the active segment again, its indexes
     * rebuilt by the same scan recovery uses.
     */
    public synchronized void truncateTo(long offset) {
        if (offset >= endOffset()) {
            return;
        }
        if (offset < startOffset()) {
            throw new IllegalArgumentException("cannot truncate to " + offset + ", before the log start " + startOffset());
        }
        while (segments.size() > 1 && segments.lastKey() >= offset) {
            LogSegment gone = segments.pollLastEntry().getValue();
            files.forget(gone.logFile());
            gone.delete();
        }
        LogSegment last = segments.lastEntry().getValue();
        try {
            long position = last.positionOf(offset);
            files.forget(last.logFile());
            try (FileCache.Handle h = files.open(last.logFile())) {
                h.channel().truncate(position);
                h.channel().force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot truncate " + last.logFile(), e);
        }
        files.forget(last.logFile());
        active = LogSegment.recoverActive(dir, last.baseOffset(), config, files, recovery);
        segments.put(last.baseOffset(), active);
        log.info("{}: truncated to offset {}", dir, offset);
    }

    /**
     * Drops the whole log and starts it empty at {@code offset}: a new replica (or one whose log
     * ends before its leader's start) takes up the leader's log where retention left it.
     * Segments go newest first, so a crash midway leaves a shorter log that still starts where
     * it did, and the follower simply asks again.
     */
    public synchronized void restartAt(long offset) {
        while (!segments.isEmpty()) {
            LogSegment gone = segments.pollLastEntry().getValue();
            files.forget(gone.logFile());
            gone.delete();
        }
        corruption = null;
        active = LogSegment.create(dir, offset, config, files);
        segments.put(offset, active);
        log.info("{}: restarted empty at offset {}", dir, offset);
    }

    /** Seals the active segment and starts a new one at the end offset. */
    private void roll() {
        LogSegment old = active;
        long base = old.nextOffset();
        old.seal();
        LogSegment next = LogSegment.create(dir, base, config, files);
        segments.put(base, next);
        active = next;
        log.debug("{}: rolled to segment {}", dir, next.name());
    }

    /**
     * Whole batches from the one holding {@code offset} (or the log start, if retention removed
     * it), at most {@code maxBytes} (but at least one batch), never past the end of one segment.
     */
    public LogRead read(long offset, int maxBytes) {
        return read(offset, maxBytes, Long.MAX_VALUE);
    }

    /** As {@link #read(long, int)}, but nothing of a batch that ends past {@code upTo} (what consumers may not see yet). */
    public LogRead read(long offset, int maxBytes, long upTo) {
        long start = startOffset();
        long end = endOffset();
        if (offset > end) {
            throw new TributaryException(ProblemType.OFFSET_OUT_OF_RANGE, "offset " + offset
                    + " is past the end of the log (" + end + ")");
        }
        long from = Math.max(offset, start);
        CorruptSegmentException bad = corruption;
        if (bad != null && from >= bad.offset()) {
            throw corrupt(bad);
        }
        try {
            Map.Entry<Long, LogSegment> entry = segments.floorEntry(from);
            while (entry != null && entry.getKey() < upTo) {
                LogSegment seg = entry.getValue();
                LogSegment.Slice slice = seg.read(from, maxBytes, upTo);
                if (slice != null) {
                    return deliver(seg, slice, from, start, end);
                }
                if (seg.nextOffset() > from && seg.nextOffset() > upTo) {
                    break; // the next visible batch is in this segment, past upTo
                }
                entry = segments.higherEntry(entry.getKey());
            }
        } catch (CorruptSegmentException e) {
            markCorrupt(e);
            throw corrupt(e);
        } catch (IOException e) {
            throw TributaryException.unavailable("cannot read " + dir + ": " + e.getMessage(), e);
        }
        return LogRead.empty(start, end);
    }

    private LogRead deliver(LogSegment seg, LogSegment.Slice slice, long from, long start, long end) throws IOException {
        if (seg.isVerified(slice)) {
            return LogRead.region(seg.logFile(), slice.position(), slice.length(), start, end);
        }
        ByteBuffer bytes = seg.readBytes(slice);
        int good = seg.verify(slice, bytes, from);
        bytes.limit(good);
        return LogRead.inMemory(bytes, start, end);
    }

    private void markCorrupt(CorruptSegmentException e) {
        synchronized (this) {
            if (corruption == null || e.offset() < corruption.offset()) {
                corruption = e;
            }
        }
        log.error("{}: {}", dir, e.getMessage());
    }

    private static TributaryException corrupt(CorruptSegmentException e) {
        return new TributaryException(ProblemType.CORRUPT_LOG, e.getMessage() + "; nothing at or after offset "
                + e.offset() + " is served", null, e);
    }

    /** The first offset whose record has a timestamp at or after {@code timestamp}; the end offset if none. */
    public long offsetForTimestamp(long timestamp) {
        try {
            for (LogSegment seg : segments.values()) {
                if (seg.maxTimestamp() >= timestamp) {
                    long o = seg.offsetForTimestamp(timestamp);
                    if (o >= 0) {
                        return Math.max(o, startOffset());
                    }
                }
            }
        } catch (IOException e) {
            throw TributaryException.unavailable("cannot read " + dir + ": " + e.getMessage(), e);
        }
        return endOffset();
    }

    /** Up to {@code limit} records whose key is {@code key}, newest first, found through the segments' key indexes. */
    public List<Record> findByKey(byte[] key, int limit) {
        List<Record> found = new ArrayList<>();
        try {
            for (LogSegment seg : segments.descendingMap().values()) {
                for (long offset : seg.candidateOffsetsForKey(key)) {
                    Record r = seg.recordAt(offset);
                    if (r != null && r.key() != null && Arrays.equals(r.key(), key)) {
                        found.add(r);
                        if (found.size() == limit) {
                            return found;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw TributaryException.unavailable("cannot read " + dir + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** Applies a topic's retention; returns how many segments were deleted. */
    public int applyRetention(long retentionMs, long retentionBytes, long nowMs) {
        return applyRetention(retentionMs, retentionBytes, nowMs, Long.MAX_VALUE);
    }

    /**
     * Applies a topic's retention, but keeps every segment holding an offset at or after
     * {@code keepFrom} (a delayed record not released yet); returns how many segments were deleted.
     */
    public synchronized int applyRetention(long retentionMs, long retentionBytes, long nowMs, long keepFrom) {
        List<RetentionPolicy.SegmentInfo> infos = segments.values().stream()
                .map(s -> new RetentionPolicy.SegmentInfo(s.baseOffset(), s.size(), s.maxTimestamp())).toList();
        RetentionPolicy.Decision d = RetentionPolicy.decide(infos, retentionMs, retentionBytes, nowMs);
        if (d.rollActive() && active.nextOffset() <= keepFrom) {
            roll();
            d = new RetentionPolicy.Decision(d.deleteOldest() + 1, false);
        }
        int deletable = 0;
        for (Map.Entry<Long, LogSegment> e : segments.entrySet()) {
            Long next = segments.higherKey(e.getKey());
            if (next == null || next > keepFrom) {
                break;
            }
            deletable++;
        }
        d = new RetentionPolicy.Decision(Math.min(d.deleteOldest(), deletable), false);
        for (int i = 0; i < d.deleteOldest(); i++) {
            Map.Entry<Long, LogSegment> oldest = segments.pollFirstEntry();
            oldest.getValue().delete();
            log.info("{}: retention deleted segment {}", dir, oldest.getValue().name());
        }
        return d.deleteOldest();
    }

    public long startOffset() {
        return segments.firstKey();
    }

    public long endOffset() {
        return active.nextOffset();
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Forces the active segment (sealed ones were forced when they rolled). */
    public void flush() {
        active.flush();
    }

    @Override
    public synchronized void close() {
        try {
            active.flush();
        } catch (RuntimeException e) {
            log.warn("{}: close failed: {}", dir, e.toString());
        }
        for (LogSegment s : segments.values()) {
            files.forget(s.logFile());
        }
    }
}
