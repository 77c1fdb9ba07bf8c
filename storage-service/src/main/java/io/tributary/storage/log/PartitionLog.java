package io.tributary.storage.log;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.CorruptRecordException;
import io.tributary.protocol.record.RecordBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only log of one partition: one file of {@link RecordBatch}es back to back, as
 * received from routing, with offsets and the leader epoch written into each header on
 * append. An in-memory index (base offset, file position, max timestamp per batch) is
 * rebuilt by scanning the file when the log opens.
 *
 * <p>Crash safety: a batch is written with one positional write after the previous end;
 * the end only moves once the write completed. After a crash the scan stops at the first
 * batch whose length, CRC or offset does not check and truncates the file there, so a torn
 * tail is dropped and every earlier batch reads back as written.
 *
 * <p>Appends are serialized by the monitor; reads take a consistent (index, end) view under
 * it and read the file outside it. Every method may block on disk: call from the disk
 * scheduler.
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionLog.class);
    public static final String FILE_NAME = "00000000000000000000.log";

    private final Path file;
    private final FileChannel channel;
    private long[] baseOffsets = new long[16];
    private long[] positions = new long[16];
    private long[] maxTimestamps = new long[16];
    private int batchCount;
    private long startOffset;
    private volatile long endOffset;
    private long endPosition;
    private boolean dirty;

    private PartitionLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating if needed) the log in {@code dir}, recovering from a torn tail. */
    public static PartitionLog open(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE_NAME);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            PartitionLog pl = new PartitionLog(file, ch);
            pl.recover();
            return pl;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open log in " + dir, e);
        }
    }

    private void recover() throws IOException {
        long size = channel.size();
        long pos = 0;
        // The file starts at offset 0 (its name), and each batch starts where the last ended:
        // this catches damage to the base offset, which is outside the CRC.
        long expected = 0;
        ByteBuffer head = ByteBuffer.allocate(RecordBatch.LOG_OVERHEAD);
        while (pos < size) {
            String problem = null;
            if (size - pos < RecordBatch.LOG_OVERHEAD) {
                problem = "partial header";
            } else {
                head.clear();
                readFully(head, pos);
                int batchSize = RecordBatch.sizeAt(head.flip(), 0);
                if (batchSize < 0 || pos + batchSize > size) {
                    problem = "bad or partial length";
                } else {
                    ByteBuffer batch = ByteBuffer.allocate(batchSize);
                    readFully(batch, pos);
                    RecordBatch view = RecordBatch.view(batch.flip());
                    if (!view.isValid()) {
                        problem = "CRC or structure mismatch";
                    } else if (view.baseOffset() != expected) {
                        problem = "offset " + view.baseOffset() + " where " + expected + " was expected";
                    } else {
                        addToIndex(view.baseOffset(), pos, view.maxTimestamp());
                        expected = view.nextOffset();
                        pos += batchSize;
                        continue;
                    }
                }
            }
            log.warn("{}: truncating at byte {} of {} ({})", file, pos, size, problem);
            channel.truncate(pos);
            channel.force(true);
            break;
        }
        endPosition = pos;
        endOffset = expected;
    }

    private void readFully(ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position + dst.position());
            if (n < 0) {
                throw new IOException("unexpected end of " + file);
            }
        }
    }

    /**
     * Validates the batch, writes {@code endOffset} and {@code leaderEpoch} into its header and
     * appends it. A batch that does not validate is refused whole; a failed write (disk full)
     * is cut off again so nothing partial remains.
     */
    public synchronized AppendResult append(ByteBuffer batchBytes, int leaderEpoch) {
        RecordBatch batch;
        try {
            batch = RecordBatch.view(batchBytes);
            if (batch.sizeInBytes() != batchBytes.remaining()) {
                throw new CorruptRecordException("body holds " + batchBytes.remaining() + " bytes, batch " + batch.sizeInBytes());
            }
            batch.validate();
        } catch (CorruptRecordException e) {
            throw TributaryException.malformed("invalid record batch: " + e.getMessage());
        }
        long base = endOffset;
        batch.setBaseOffset(base);
        batch.setLeaderEpoch(leaderEpoch);
        ByteBuffer src = batch.buffer();
        long pos = endPosition;
        try {
            while (src.hasRemaining()) {
                channel.write(src, pos + src.position());
            }
        } catch (IOException e) {
            undoPartialWrite(pos);
            throw new TributaryException(ProblemType.UNAVAILABLE, "append failed on this storage node: " + e.getMessage(),
                    java.time.Duration.ofSeconds(5), e);
        }
        addToIndex(base, pos, batch.maxTimestamp());
        endPosition = pos + batch.sizeInBytes();
        endOffset = batch.nextOffset();
        dirty = true;
        return new AppendResult(base, batch.lastOffset(), endOffset);
    }

    private void undoPartialWrite(long pos) {
        try {
            channel.truncate(pos);
        } catch (IOException e) {
            log.error("{}: cannot cut a failed write back to {}; recovery will on restart", file, pos, e);
        }
    }

    private void addToIndex(long baseOffset, long position, long maxTimestamp) {
        if (batchCount == baseOffsets.length) {
            int n = batchCount * 2;
            baseOffsets = Arrays.copyOf(baseOffsets, n);
            positions = Arrays.copyOf(positions, n);
            maxTimestamps = Arrays.copyOf(maxTimestamps, n);
        }
        baseOffsets[batchCount] = baseOffset;
        positions[batchCount] = position;
        maxTimestamps[batchCount] = maxTimestamp;
        batchCount++;
    }

    /**
     * Reads whole batches from the one holding {@code offset}, up to {@code maxBytes} (but at
     * least one batch, so a large batch is never stuck). Empty at or past the end.
     */
    public FetchResult read(long offset, int maxBytes) {
        long from;
        long to;
        long start;
        long end;
        synchronized (this) {
            start = startOffset;
            end = endOffset;
            if (offset > end) {
                throw new TributaryException(ProblemType.OFFSET_OUT_OF_RANGE,
                        "offset " + offset + " is past the end of the log (" + end + ")");
            }
            long target = Math.max(offset, start);
            if (target >= end) {
                return new FetchResult(ByteBuffer.allocate(0), start, end);
            }
            int first = batchIndexFor(target);
            from = positions[first];
            int last = first;
            while (last + 1 < batchCount && nextPosition(last + 1) - from <= maxBytes) {
                last++;
            }
            to = nextPosition(last);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (to - from));
        try {
            readFully(buf, from);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new FetchResult(buf.flip(), start, end);
    }

    private long nextPosition(int index) {
        return index + 1 < batchCount ? positions[index + 1] : endPosition;
    }

    /** Index of the batch holding {@code offset}: the last batch whose base is at most it. */
    private int batchIndexFor(long offset) {
        int i = Arrays.binarySearch(baseOffsets, 0, batchCount, offset);
        return i >= 0 ? i : -i - 2;
    }

    /**
     * The first offset whose record has a timestamp at or after {@code timestamp} (Kafka's
     * offsetsForTimes); the end offset if there is none. Finds the first batch whose max
     * timestamp reaches it, then the record inside.
     */
    public long offsetForTimestamp(long timestamp) {
        long position;
        long size;
        synchronized (this) {
            int i = 0;
            while (i < batchCount && maxTimestamps[i] < timestamp) {
                i++;
            }
            if (i == batchCount) {
                return endOffset;
            }
            position = positions[i];
            size = nextPosition(i) - position;
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        try {
            readFully(buf, position);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (io.tributary.protocol.record.Record r : RecordBatch.view(buf.flip()).records()) {
            if (r.timestamp() >= timestamp) {
                return r.offset();
            }
        }
        throw new IllegalStateException("batch max timestamp reaches " + timestamp + " but no record does");
    }

    public synchronized long startOffset() {
        return startOffset;
    }

    public long endOffset() {
        return endOffset;
    }

    public synchronized long sizeInBytes() {
        return endPosition;
    }

    /** fsync if anything was appended since the last flush. */
    public void flush() {
        synchronized (this) {
            if (!dirty) {
                return;
            }
            dirty = false;
        }
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            flush();
            channel.close();
        } catch (IOException | UncheckedIOException e) {
            log.warn("{}: close failed: {}", file, e.toString());
        }
    }
}
