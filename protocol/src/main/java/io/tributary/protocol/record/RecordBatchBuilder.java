package io.tributary.protocol.record;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Assembles a {@link RecordBatch} from records that are already encoded. The record bytes
 * are copied once into the batch and never re-encoded; only the header is computed here.
 */
public final class RecordBatchBuilder {
    private final List<ByteBuffer> records = new ArrayList<>();
    private int recordBytes;
    private long firstTimestamp = Long.MAX_VALUE;
    private long maxTimestamp = Long.MIN_VALUE;
    private long producerId = -1;
    private int baseSequence = -1;

    /** Adds one encoded record (from {@link RecordCodec#encode}); its bytes are not copied yet. */
    public RecordBatchBuilder add(ByteBuffer encodedRecord) {
        ByteBuffer r = encodedRecord.slice();
        int size = RecordCodec.sizeAt(r, 0);
        if (size != r.remaining()) {
            throw new CorruptRecordException("record buffer holds " + r.remaining() + " bytes, record is " + size);
        }
        long ts = RecordCodec.readTimestamp(r);
        firstTimestamp = Math.min(firstTimestamp, ts);
        maxTimestamp = Math.max(maxTimestamp, ts);
        records.add(r);
        recordBytes += size;
        return this;
    }

    public RecordBatchBuilder add(byte[] encodedRecord) {
        return add(ByteBuffer.wrap(encodedRecord));
    }

    public RecordBatchBuilder producer(long id, int sequence) {
        this.producerId = id;
        this.baseSequence = sequence;
        return this;
    }

    public int recordCount() {
        return records.size();
    }

    public int sizeInBytes() {
        return RecordBatch.HEADER_SIZE + recordBytes;
    }

    /** The finished batch, base offset 0 and leader epoch -1 until a leader appends it. */
    public ByteBuffer build() {
        if (records.isEmpty()) {
            throw new IllegalStateException("a batch needs at least one record");
        }
        ByteBuffer b = ByteBuffer.allocate(sizeInBytes());
        b.putLong(0L);
        b.putInt(sizeInBytes() - RecordBatch.LOG_OVERHEAD);
        b.putInt(-1);
        b.put(RecordBatch.CURRENT_MAGIC);
        b.putInt(0); // CRC, filled below
        b.putShort((short) 0);
        b.putInt(records.size());
        b.putLong(firstTimestamp);
        b.putLong(maxTimestamp);
        b.putLong(producerId);
        b.putInt(baseSequence);
        for (ByteBuffer r : records) {
            b.put(r.duplicate());
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), RecordBatch.ATTRIBUTES, b.capacity() - RecordBatch.ATTRIBUTES);
        b.putInt(RecordBatch.CRC, (int) crc.getValue());
        return b.flip();
    }
}
