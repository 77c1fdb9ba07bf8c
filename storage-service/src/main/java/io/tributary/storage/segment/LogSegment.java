package io.tributary.storage.segment;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.storage.files.Directories;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.index.IndexCorruptException;
import io.tributary.storage.index.KeyHash;
import io.tributary.storage.index.KeyIndex;
import io.tributary.storage.index.OffsetIndex;
import io.tributary.storage.index.TimeIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a partition log: a {@code .log} file of record batches starting at
 * {@code baseOffset}, and its offset, time and key indexes (see {@link SegmentFiles}).
 * Only the last segment of a log is active (appended to); the others are sealed.
 *
 * <p>Concurrency: appends, truncation and sealing are serialized by the owning log; reads run
 * concurrently and see only what {@link #size()} (volatile, moved after each write) covers.
 * All methods may block on disk.
 */
public final class LogSegment {
    private static final Logger log = LoggerFactory.getLogger(LogSegment.class);

    private final Path dir;
    private final long baseOffset;
    private final Path logFile;
    private final SegmentConfig config;
    private final FileCache files;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;
    private KeyIndex keyIndex;
    private volatile long size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = -1;
    /** Bytes from the start that were checked batch by batch (appended here, or recovered, or read and verified). */
    private volatile long verifiedUpTo;
    private long bytesSinceIndexEntry;
    /** Base offset of the last batch indexed: the offset of the time index entry written at seal. */
    private long lastBatchBase = -1;
    private long firstAppendMs = -1;
    private volatile boolean sealed;

    private LogSegment(Path dir, long baseOffset, SegmentConfig config, FileCache files) {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.logFile = SegmentFiles.file(dir, baseOffset, SegmentFiles.LOG);
        this.config = config;
        this.files = files;
        this.nextOffset = baseOffset;
    }

    /** A new empty active segment. */
    public static LogSegment create(Path dir, long baseOffset, SegmentConfig config, FileCache files) {
        LogSegment s = new LogSegment(dir, baseOffset, config, files);
        try {
            Directories.create(dir);
            if (!Files.exists(s.logFile)) {
                Files.createFile(s.logFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create segment " + s.logFile, e);
        }
        s.openIndexesForAppend();
        // The new files' names must be durable before anything appended to them can be.
        Directories.sync(dir);
        return s;
    }

    /** What recovering the active segment found. */
    public record Recovery(long validBytes, long truncatedBytes, String problem) {
    }

    /**
     * Opens the last segment of a log and scans it: every batch is checked (length, CRC,
     * offsets following on from {@code baseOffset}) and indexed; at the first that does not
     * check, the file is cut there. Only the active segment is ever scanned on start.
     */
    public static LogSegment recoverActive(Path dir, long baseOffset, SegmentConfig config, FileCache files, List<Recovery> report) {
        LogSegment s = new LogSegment(dir, baseOffset, config, files);
        s.openIndexesForAppend();
        Scan scan = s.scan(true);
        if (scan.problem != null) {
            try (FileCache.Handle h = files.open(s.logFile)) {
                h.channel().truncate(scan.validBytes);
                h.channel().force(true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot truncate " + s.logFile, e);
            }
            log.warn("{}: truncated at byte {} (offset {}), dropping {} bytes: {}", s.logFile, scan.validBytes, scan.nextOffset,
                    scan.fileSize - scan.validBytes, scan.problem);
        }
        s.size = scan.validBytes;
        s.nextOffset = scan.nextOffset;
        s.verifiedUpTo = scan.validBytes;
        s.firstAppendMs = scan.firstTimestamp;
        report.add(new Recovery(scan.validBytes, scan.fileSize - scan.validBytes, scan.problem));
        return s;
    }

    /**
     * Opens a sealed segment without reading its log: its end is the next segment's base, its
     * indexes are checked for sanity and rebuilt from the log only if missing or damaged.
     */
    public static LogSegment openSealed(Path dir, long baseOffset, long nextOffset, SegmentConfig config, FileCache files) {
        LogSegment s = new LogSegment(dir, baseOffset, config, files);
        try {
            s.size = Files.size(s.logFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s.nextOffset = nextOffset;
        s.sealed = true;
        try {
            s.offsetIndex = OffsetIndex.openSealed(s.file(SegmentFiles.OFFSET_INDEX), baseOffset, s.size);
            s.timeIndex = TimeIndex.openSealed(s.file(SegmentFiles.TIME_INDEX), baseOffset, nextOffset);
            s.keyIndex = KeyIndex.openSealed(s.file(SegmentFiles.ACTIVE_KEYS), s.file(SegmentFiles.KEY_INDEX), baseOffset, nextOffset, files);
            s.maxTimestamp = s.timeIndex.lastTimestamp();
        } catch (IndexCorruptException | UncheckedIOException e) {
            log.warn("{}: rebuilding indexes ({})", s.logFile, e.getMessage());
            s.rebuildSealedIndexes();
        }
        return s;
    }

    private void rebuildSealedIndexes() {
        sealed = false;
        openIndexesForAppend();
        Scan scan = scan(false);
        // Size and end stay what the directory says: a damaged batch inside is found (and
        // reported) by the first read that reaches it, and nothing past it is served.
        verifiedUpTo = scan.validBytes;
        if (scan.problem != null) {
            log.error("{}: damaged at byte {} (offset {}): {}; the partition will not serve past it",
                    logFile, scan.validBytes, scan.nextOffset, scan.problem);
        }
        sealIndexes();
        sealed = true;
    }

    private void openIndexesForAppend() {
        int max = config.maxIndexEntries();
        offsetIndex = OffsetIndex.forAppend(file(SegmentFiles.OFFSET_INDEX), baseOffset, max);
        timeIndex = TimeIndex.forAppend(file(SegmentFiles.TIME_INDEX), baseOffset, max);
        keyIndex = KeyIndex.forAppend(file(SegmentFiles.ACTIVE_KEYS), file(SegmentFiles.KEY_INDEX), baseOffset, files);
        bytesSinceIndexEntry = 0;
    }

    private Path file(String suffix) {
        return SegmentFiles.file(dir, baseOffset, suffix);
    }

    /** Result of reading a log file batch by batch from its start. */
    private record Scan(long validBytes, long nextOffset, long fileSize, String problem, long firstTimestamp) {
    }

    /** Reads every batch from the start, checking and indexing it, up to the first that does not check. */
    private Scan scan(boolean active) {
        try (FileCache.Handle h = files.open(logFile)) {
            long fileSize = h.channel().size();
            long pos = 0;
            long expected = baseOffset;
            String problem = null;
            long firstTimestamp = -1;
            while (pos < fileSize) {
                BatchHeader header = BatchHeader.read(h.channel(), pos, fileSize);
                if (header == null) {
                    problem = "partial or impossible batch header";
                    break;
                }
                ByteBuffer bytes = ByteBuffer.allocate(header.size());
                readFully(h, bytes, pos);
                RecordBatch batch = RecordBatch.view(bytes.flip());
                if (!batch.isValid()) {
                    problem = "CRC or structure mismatch";
                    break;
                }
                if (batch.baseOffset() != expected) {
                    problem = "offset " + batch.baseOffset() + " where " + expected + " was expected";
                    break;
                }
                index(batch, pos);
                if (pos == 0) {
                    firstTimestamp = batch.firstTimestamp();
                }
                pos += header.size();
                expected = batch.nextOffset();
            }
            return new Scan(pos, expected, fileSize, problem, firstTimestamp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + logFile, e);
        }
    }

    /**
     * Appends one batch whose offsets and epoch are already set (and which was validated).
     * If writing fails (disk full), everything written for it is cut off again and the
     * IOException propagates: the segment stays exactly as it was.
     */
    public void append(RecordBatch batch) throws IOException {
        long pos = size;
        long keysPos = keyIndex.appendPosition();
        int offsetEntries = offsetIndex.entries();
        int timeEntries = timeIndex.entries();
        long savedMax = maxTimestamp;
        long savedSince = bytesSinceIndexEntry;
        try (FileCache.Handle h = files.open(logFile)) {
            ByteBuffer src = batch.buffer();
            while (src.hasRemaining()) {
                h.channel().write(src, pos + src.position());
            }
            index(batch, pos);
        } catch (IOException | InternalError | UncheckedIOException e) {
            // InternalError: a page fault on a mapped index of a full disk.
            undo(pos, keysPos, offsetEntries, timeEntries, savedMax, savedSince);
            throw e instanceof IOException io ? io : new IOException("append failed: " + e.getMessage(), e);
        }
        if (firstAppendMs < 0) {
            firstAppendMs = System.currentTimeMillis();
        }
        size = pos + batch.sizeInBytes();
        nextOffset = batch.nextOffset();
        verifiedUpTo = size;
    }

    private void undo(long pos, long keysPos, int offsetEntries, int timeEntries, long savedMax, long savedSince) {
        offsetIndex.truncateTo(offsetEntries);
        timeIndex.truncateTo(timeEntries);
        maxTimestamp = savedMax;
        bytesSinceIndexEntry = savedSince;
        try {
            keyIndex.truncateTo(keysPos);
        } catch (UncheckedIOException e) {
            log.error("{}: cannot undo key index entries: {}", logFile, e.getMessage());
        }
        try (FileCache.Handle h = files.open(logFile)) {
            h.channel().truncate(pos);
        } catch (IOException | UncheckedIOException e) {
            log.error("{}: cannot cut a failed append back to byte {}; recovery will on restart", logFile, pos, e);
        }
    }

    /** Adds a batch at {@code position} to the indexes. */
    private void index(RecordBatch batch, long position) throws IOException {
        if (bytesSinceIndexEntry >= config.indexIntervalBytes() && !offsetIndex.isFull()) {
            offsetIndex.append(batch.baseOffset(), position);
            if (maxTimestamp > timeIndex.lastTimestamp() && !timeIndex.isFull()) {
                timeIndex.append(maxTimestamp, batch.baseOffset());
            }
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += batch.sizeInBytes();
        maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
        lastBatchBase = batch.baseOffset();
        ByteBuffer b = batch.buffer();
        int pos = RecordBatch.HEADER_SIZE;
        long offset = batch.baseOffset();
        KeyIndex.Entries keys = keyIndex.entries(batch.recordCount());
        for (int i = 0; i < batch.recordCount(); i++) {
            int recordSize = RecordCodec.sizeAt(b, pos);
            int keyLength = b.getInt(pos + RecordCodec.KEY_BYTES - 4);
            if (keyLength >= 0) {
                keys.add(KeyHash.of(b, pos + RecordCodec.KEY_BYTES, keyLength), offset); // hashed in place, no copy
            }
            pos += recordSize;
            offset++;
        }
        keyIndex.append(keys);
    }

    /** A region of this segment's file holding whole batches. */
    public record Slice(LogSegment segment, long position, int length) {
    }

    /**
     * Whole batches from the one holding {@code offset}, as many as fit in {@code maxBytes}
     * (at least one). Null when the segment has nothing at or after {@code offset}.
     */
    public Slice read(long offset, int maxBytes) throws IOException {
        return read(offset, maxBytes, Long.MAX_VALUE);
    }

    /** As {@link #read(long, int)}, but only batches that end at or before {@code upTo} (the high watermark). */
    public Slice read(long offset, int maxBytes, long upTo) throws IOException {
        long limit = size;
        if (offset >= nextOffset || limit == 0 || offset >= upTo) {
            return null;
        }
        try (FileCache.Handle h = files.open(logFile)) {
            long pos = offsetIndex.floorPosition(offset, limit);
            BatchHeader header = headerOrCorrupt(h, pos, limit, offset);
            while (header.nextOffset() <= offset) {
                pos = header.end();
                if (pos >= limit) {
                    return null;
                }
                header = headerOrCorrupt(h, pos, limit, offset);
            }
            if (header.nextOffset() > upTo) {
                return null; // the batch holding the offset is not all visible yet
            }
            long start = pos;
            long end = header.end();
            while (end < limit) {
                BatchHeader next = BatchHeader.read(h.channel(), end, limit);
                if (next == null || next.end() - start > maxBytes || next.nextOffset() > upTo) {
                    break; // a damaged next batch is reported when a read starts there
                }
                end = next.end();
            }
            return new Slice(this, start, (int) (end - start));
        }
    }

    private BatchHeader headerOrCorrupt(FileCache.Handle h, long pos, long limit, long offset) throws IOException {
        BatchHeader header = BatchHeader.read(h.channel(), pos, limit);
        if (header == null) {
            throw new CorruptSegmentException(logFile.getFileName().toString(), offset, pos, "impossible batch length");
        }
        return header;
    }

    /** The byte position of the batch starting at {@code offset} (the end of the segment if it is the next offset). */
    public long positionOf(long offset) throws IOException {
        if (offset == nextOffset) {
            return size;
        }
        try (FileCache.Handle h = files.open(logFile)) {
            long limit = size;
            long pos = offsetIndex.floorPosition(offset, limit);
            while (pos < limit) {
                BatchHeader header = headerOrCorrupt(h, pos, limit, offset);
                if (header.baseOffset() == offset) {
                    return pos;
                }
                if (header.baseOffset() > offset) {
                    break;
                }
                pos = header.end();
            }
        }
        throw new IllegalArgumentException("offset " + offset + " is not the start of a batch in " + name());
    }

    /** Reads a slice into memory. */
    public ByteBuffer readBytes(Slice slice) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(slice.length());
        try (FileCache.Handle h = files.open(logFile)) {
            readFully(h, b, slice.position());
        }
        return b.flip();
    }

    /**
     * Checks every batch of {@code bytes} (read from {@code slice}): CRC, structure, offsets
     * following on. Returns how many bytes from the start are good; throws if the first batch is
     * bad. A slice that starts within the verified prefix extends it.
     */
    public int verify(Slice slice, ByteBuffer bytes, long requestedOffset) {
        int good = 0;
        long expected = -1;
        while (good < bytes.limit()) {
            int size = RecordBatch.sizeAt(bytes, good);
            String why = null;
            RecordBatch batch = null;
            if (size < 0 || good + size > bytes.limit()) {
                why = "impossible batch length";
            } else {
                batch = RecordBatch.view(bytes.slice(good, size));
                if (!batch.isValid()) {
                    why = "CRC or structure mismatch";
                } else if (expected >= 0 && batch.baseOffset() != expected) {
                    why = "offset " + batch.baseOffset() + " where " + expected + " was expected";
                }
            }
            if (why != null) {
                if (good == 0) {
                    throw new CorruptSegmentException(logFile.getFileName().toString(), requestedOffset,
                            slice.position() + good, why);
                }
                break;
            }
            expected = batch.nextOffset();
            good += size;
        }
        if (slice.position() <= verifiedUpTo) {
            verifiedUpTo = Math.max(verifiedUpTo, slice.position() + good);
        }
        return good;
    }

    public boolean isVerified(Slice slice) {
        return slice.position() + slice.length() <= verifiedUpTo;
    }

    /**
     * The offset of the first record with a timestamp at or after {@code timestamp}, or -1 if
     * no record of this segment is that recent.
     */
    public long offsetForTimestamp(long timestamp) throws IOException {
        if (maxTimestamp < timestamp) {
            return -1;
        }
        long from = timeIndex.scanStartFor(timestamp);
        long limit = size;
        try (FileCache.Handle h = files.open(logFile)) {
            long pos = offsetIndex.floorPosition(from, limit);
            while (pos < limit) {
                BatchHeader header = headerOrCorrupt(h, pos, limit, from);
                if (header.maxTimestamp() >= timestamp) {
                    ByteBuffer bytes = ByteBuffer.allocate(header.size());
                    readFully(h, bytes, pos);
                    for (Record r : RecordBatch.view(bytes.flip()).records()) {
                        if (r.timestamp() >= timestamp) {
                            return r.offset();
                        }
                    }
                }
                pos = header.end();
            }
        }
        return -1;
    }

    /** Offsets whose key may be {@code key} (same hash), newest first. */
    public List<Long> candidateOffsetsForKey(byte[] key) {
        return keyIndex.offsetsFor(KeyHash.of(key));
    }

    /** Reads the record at {@code offset}, or null if it is not in this segment. */
    public Record recordAt(long offset) throws IOException {
        Slice s = read(offset, 1);
        if (s == null) {
            return null;
        }
        for (Record r : RecordBatch.view(readBytes(s)).records()) {
            if (r.offset() == offset) {
                return r;
            }
        }
        return null;
    }

    /** Whether the active segment should roll before appending {@code batchSize} more bytes. */
    public boolean shouldRoll(int batchSize, long nowMs) {
        if (size == 0) {
            return false;
        }
        return size + batchSize > config.segmentBytes() || (firstAppendMs >= 0 && nowMs - firstAppendMs >= config.segmentMs());
    }

    /** Makes this segment immutable: log and indexes forced to disk, indexes trimmed and sorted. */
    public void seal() {
        flush();
        sealIndexes();
        sealed = true;
    }

    private void sealIndexes() {
        // The time index only gets entries every interval; the sealed segment's largest
        // timestamp must be in it too (reopened segments read it from there, and lookups and
        // time retention depend on it), as Kafka appends a last entry on roll.
        if (maxTimestamp > timeIndex.lastTimestamp() && lastBatchBase >= 0) {
            timeIndex.append(maxTimestamp, lastBatchBase);
        }
        offsetIndex.seal();
        timeIndex.seal();
        keyIndex.seal();
    }

    public void flush() {
        try (FileCache.Handle h = files.open(logFile)) {
            h.channel().force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush " + logFile, e);
        }
        if (!sealed) {
            offsetIndex.flush();
            timeIndex.flush();
            keyIndex.flush();
        }
    }

    /** Removes the segment's files. Readers holding a handle keep reading the unlinked file. */
    public void delete() {
        try {
            files.forget(logFile);
            keyIndex.delete();
            for (String suffix : Arrays.asList(SegmentFiles.LOG, SegmentFiles.OFFSET_INDEX, SegmentFiles.TIME_INDEX)) {
                Files.deleteIfExists(file(suffix));
            }
            Directories.sync(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete segment " + logFile, e);
        }
    }

    private void readFully(FileCache.Handle h, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = h.channel().read(dst, at);
            if (n < 0) {
                throw new IOException("unexpected end of " + logFile);
            }
            at += n;
        }
    }

    public long baseOffset() {
        return baseOffset;
    }

    public long nextOffset() {
        return nextOffset;
    }

    public long size() {
        return size;
    }

    public long maxTimestamp() {
        return maxTimestamp;
    }

    public boolean isSealed() {
        return sealed;
    }

    public Path logFile() {
        return logFile;
    }

    public String name() {
        return logFile.getFileName().toString();
    }

}
