package io.tributary.storage;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Batches for storage tests. */
public final class TestBatches {
    private TestBatches() {
    }

    /** {@code records} records with timestamps {@code timestamp + i}, payload "tag-i", key "k<i>". */
    public static ByteBuffer batch(String tag, int records, long timestamp) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        for (int i = 0; i < records; i++) {
            b.add(RecordCodec.encode(record("k" + i, timestamp + i, tag + "-" + i, null)));
        }
        return b.build();
    }

    public static Record record(String key, long timestamp, String payload, String id) {
        return new Record(-1, timestamp, 0, 0, key == null ? null : key.getBytes(StandardCharsets.UTF_8), null, id, Map.of(),
                payload.getBytes(StandardCharsets.UTF_8), false);
    }

    public static ByteBuffer batchOf(Record... records) {
        return producerBatch(-1, -1, records);
    }

    /** A batch stamped with a producer id and sequence, as routing sends them. */
    public static ByteBuffer producerBatch(long producerId, int sequence, Record... records) {
        RecordBatchBuilder b = new RecordBatchBuilder().producer(producerId, sequence);
        for (Record r : records) {
            b.add(RecordCodec.encode(r));
        }
        return b.build();
    }

    /** The bytes of a read, from memory or from its segment file region. */
    public static ByteBuffer bytesOf(io.tributary.storage.log.LogRead r) {
        if (!r.isFileRegion()) {
            return r.bytes();
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(r.file())) {
            ByteBuffer b = ByteBuffer.allocate(r.length());
            ch.read(b, r.position());
            return b.flip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
