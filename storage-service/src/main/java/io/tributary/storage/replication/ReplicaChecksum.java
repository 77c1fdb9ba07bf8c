package io.tributary.storage.replication;

import io.tributary.protocol.record.RecordBatch;
import io.tributary.storage.log.LogRead;
import io.tributary.storage.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A CRC-32C over a replica's log bytes from its start up to an offset (whole batches below
 * it), for checking that replicas are byte-identical where they must be: followers copy the
 * leader's batches as they are, so every in-sync replica's log below the high watermark has
 * the same bytes. Read with the same limit on every replica and compare.
 */
public final class ReplicaChecksum {
    private static final int CHUNK = 1 << 20;

    /** What was summed: from {@code startOffset} to {@code endOffset} (exclusive), {@code bytes} bytes. */
    public record Sum(long startOffset, long endOffset, long bytes, long crc32c) {
    }

    private ReplicaChecksum() {
    }

    public static Sum of(PartitionLog log, long upTo) {
        CRC32C crc = new CRC32C();
        long start = log.startOffset();
        long next = start;
        long bytes = 0;
        while (next < upTo) {
            LogRead read = log.read(next, CHUNK, upTo);
            if (read.isEmpty()) {
                break;
            }
            ByteBuffer data = bytesOf(read);
            long last = next;
            for (RecordBatch b : RecordBatch.split(data.duplicate())) {
                last = b.nextOffset();
            }
            if (last <= next) {
                break;
            }
            crc.update(data.duplicate());
            bytes += data.remaining();
            next = last;
        }
        return new Sum(start, next, bytes, crc.getValue());
    }

    private static ByteBuffer bytesOf(LogRead read) {
        if (!read.isFileRegion()) {
            return read.bytes().duplicate();
        }
        ByteBuffer buf = ByteBuffer.allocate(read.length());
        try (FileChannel ch = FileChannel.open(read.file(), StandardOpenOption.READ)) {
            while (buf.hasRemaining()) {
                if (ch.read(buf, read.position() + buf.position()) < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.flip();
    }
}
