package io.tributary.storage.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * What a read of a partition log returns: whole batches, either as a region of a segment file
 * (already verified, so it can go to the socket with zero-copy file transfer) or as bytes in
 * memory (read and checked just now). Plus the log's bounds at the time of the read.
 */
public record LogRead(Path file, long position, int length, ByteBuffer bytes, long logStartOffset, long logEndOffset) {

    public static LogRead empty(long start, long end) {
        return new LogRead(null, 0, 0, ByteBuffer.allocate(0), start, end);
    }

    public static LogRead region(Path file, long position, int length, long start, long end) {
        return new LogRead(file, position, length, null, start, end);
    }

    public static LogRead inMemory(ByteBuffer bytes, long start, long end) {
        return new LogRead(null, 0, bytes.remaining(), bytes, start, end);
    }

    public boolean isFileRegion() {
        return file != null;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** The batches as bytes in memory: the file region read now, or the bytes already held. */
    public ByteBuffer toBuffer() throws java.io.IOException {
        if (!isFileRegion()) {
            return bytes.duplicate();
        }
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining() && ch.read(b, position + b.position()) >= 0) {
                // read until full
            }
            return b.flip();
        }
    }
}
