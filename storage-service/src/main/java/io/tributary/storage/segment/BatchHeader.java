package io.tributary.storage.segment;

import io.tributary.protocol.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The header fields of a batch in a log file that reads need: where it is, which offsets it
 * holds, how big it is. Reading only these 43 bytes lets a reader step from batch to batch
 * without reading the records.
 */
public record BatchHeader(long position, long baseOffset, int size, int recordCount, long maxTimestamp) {
    static final int READ_BYTES = RecordBatch.MAX_TIMESTAMP + 8;

    public long nextOffset() {
        return baseOffset + recordCount;
    }

    public long end() {
        return position + size;
    }

    /**
     * Reads the header at {@code position}; null when fewer than a header's bytes remain before
     * {@code limit} or the length field is impossible (a torn or damaged batch).
     */
    public static BatchHeader read(FileChannel ch, long position, long limit) throws IOException {
        if (limit - position < RecordBatch.HEADER_SIZE) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(READ_BYTES);
        long at = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, at);
            if (n < 0) {
                return null;
            }
            at += n;
        }
        b.flip();
        int size = RecordBatch.sizeAt(b, 0);
        if (size < 0 || position + size > limit) {
            return null;
        }
        int count = b.getInt(RecordBatch.RECORD_COUNT);
        if (count < 1) {
            return null;
        }
        return new BatchHeader(position, b.getLong(RecordBatch.BASE_OFFSET), size, count, b.getLong(RecordBatch.MAX_TIMESTAMP));
    }
}
