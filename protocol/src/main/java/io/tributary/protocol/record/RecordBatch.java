package io.tributary.protocol.record;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * A record batch: the unit on disk and on every internal wire (gateway/routing to storage,
 * storage to consumers and followers). A batch is encoded once where messages enter the
 * cluster; the partition leader only writes {@code baseOffset} and {@code leaderEpoch} into
 * the header and appends the bytes as received. Both fields sit outside the CRC, as in
 * Kafka's v2 batch, so assigning them does not touch the checksum.
 *
 * <pre>
 * offset size  field
 *  0      8    baseOffset      int64  offset of the first record (assigned by the leader)
 *  8      4    batchLength     int32  bytes that follow this field (whole batch = 12 + batchLength)
 * 12      4    leaderEpoch     int32  epoch of the leader that appended it (-1 before append)
 * 16      1    magic           int8   format version, currently 1
 * 17      4    crc             uint32 CRC32C of every byte from {@code attributes} to the end
 * 21      2    attributes      int16  reserved, 0
 * 23      4    recordCount     int32  number of records, at least 1
 * 27      8    firstTimestamp  int64  smallest record timestamp (epoch ms)
 * 35      8    maxTimestamp    int64  largest record timestamp (epoch ms)
 * 43      8    producerId      int64  idempotent producer id, -1 when none
 * 51      4    baseSequence    int32  producer sequence of the first record, -1 when none
 * 55      ...  records         recordCount records, see {@link RecordCodec}
 * </pre>
 *
 * All integers are big-endian. Record {@code i} of a batch has offset {@code baseOffset + i}.
 */
public final class RecordBatch {
    public static final int BASE_OFFSET = 0;
    public static final int BATCH_LENGTH = 8;
    public static final int LEADER_EPOCH = 12;
    public static final int MAGIC = 16;
    public static final int CRC = 17;
    public static final int ATTRIBUTES = 21;
    public static final int RECORD_COUNT = 23;
    public static final int FIRST_TIMESTAMP = 27;
    public static final int MAX_TIMESTAMP = 35;
    public static final int PRODUCER_ID = 43;
    public static final int BASE_SEQUENCE = 51;
    public static final int HEADER_SIZE = 55;
    /** baseOffset and batchLength: what must be read to learn a batch's size. */
    public static final int LOG_OVERHEAD = 12;
    public static final byte CURRENT_MAGIC = 1;
    /** A sanity bound on one batch; anything larger in a length field is corruption. */
    public static final int MAX_BATCH_SIZE = 64 * 1024 * 1024;

    private final ByteBuffer buffer;

    private RecordBatch(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    /**
     * Views the batch that starts at {@code buffer}'s position. The view shares the bytes,
     * so {@link #setBaseOffset} writes through. Only the length is checked here.
     */
    public static RecordBatch view(ByteBuffer buffer) {
        ByteBuffer b = buffer.slice().order(ByteOrder.BIG_ENDIAN);
        if (b.remaining() < LOG_OVERHEAD) {
            throw new CorruptRecordException("batch shorter than its length field: " + b.remaining() + " bytes");
        }
        int size = sizeAt(b, 0);
        if (size > b.remaining()) {
            throw new CorruptRecordException("batch claims " + size + " bytes but " + b.remaining() + " are present");
        }
        return new RecordBatch(b.limit(size).slice());
    }

    /**
     * The total size of the batch whose header starts at {@code position}, from its length
     * field; -1 if the field is out of range (a torn or corrupt write).
     */
    public static int sizeAt(ByteBuffer buffer, int position) {
        int length = buffer.getInt(position + BATCH_LENGTH);
        if (length < HEADER_SIZE - LOG_OVERHEAD || length > MAX_BATCH_SIZE) {
            return -1;
        }
        return LOG_OVERHEAD + length;
    }

    /**
     * Splits a buffer of consecutive batches into views. Throws on a truncated or
     * unparseable batch: fetch responses always end at a batch boundary.
     */
    public static List<RecordBatch> split(ByteBuffer buffer) {
        List<RecordBatch> batches = new ArrayList<>();
        ByteBuffer b = buffer.slice().order(ByteOrder.BIG_ENDIAN);
        int pos = 0;
        while (pos < b.limit()) {
            if (b.limit() - pos < LOG_OVERHEAD) {
                throw new CorruptRecordException("trailing " + (b.limit() - pos) + " bytes are not a batch");
            }
            int size = sizeAt(b, pos);
            if (size < 0 || pos + size > b.limit()) {
                throw new CorruptRecordException("batch at byte " + pos + " has an invalid length");
            }
            batches.add(new RecordBatch(b.slice(pos, size)));
            pos += size;
        }
        return batches;
    }

    public long baseOffset() {
        return buffer.getLong(BASE_OFFSET);
    }

    public void setBaseOffset(long offset) {
        buffer.putLong(BASE_OFFSET, offset);
    }

    public int leaderEpoch() {
        return buffer.getInt(LEADER_EPOCH);
    }

    public void setLeaderEpoch(int epoch) {
        buffer.putInt(LEADER_EPOCH, epoch);
    }

    public byte magic() {
        return buffer.get(MAGIC);
    }

    public int recordCount() {
        return buffer.getInt(RECORD_COUNT);
    }

    public long lastOffset() {
        return baseOffset() + recordCount() - 1;
    }

    /** The offset after this batch: where the next batch starts. */
    public long nextOffset() {
        return baseOffset() + recordCount();
    }

    public long firstTimestamp() {
        return buffer.getLong(FIRST_TIMESTAMP);
    }

    public long maxTimestamp() {
        return buffer.getLong(MAX_TIMESTAMP);
    }

    public long producerId() {
        return buffer.getLong(PRODUCER_ID);
    }

    public int baseSequence() {
        return buffer.getInt(BASE_SEQUENCE);
    }

    public int sizeInBytes() {
        return buffer.limit();
    }

    public long storedCrc() {
        return Integer.toUnsignedLong(buffer.getInt(CRC));
    }

    public long computeCrc() {
        CRC32C crc = new CRC32C();
        crc.update(buffer.slice(ATTRIBUTES, buffer.limit() - ATTRIBUTES));
        return crc.getValue();
    }

    public boolean isValid() {
        try {
            validate();
            return true;
        } catch (CorruptRecordException e) {
            return false;
        }
    }

    /**
     * Checks magic, CRC and that the records exactly fill the batch. Cheap enough for every
     * append: the leader must never store bytes it cannot read back.
     */
    public void validate() {
        if (magic() != CURRENT_MAGIC) {
            throw new CorruptRecordException("unknown batch magic " + magic());
        }
        if (storedCrc() != computeCrc()) {
            throw new CorruptRecordException("batch CRC mismatch");
        }
        int count = recordCount();
        if (count < 1) {
            throw new CorruptRecordException("batch has " + count + " records");
        }
        int pos = HEADER_SIZE;
        for (int i = 0; i < count; i++) {
            pos += RecordCodec.sizeAt(buffer, pos);
        }
        if (pos != buffer.limit()) {
            throw new CorruptRecordException("records end at byte " + pos + " of a " + buffer.limit() + "-byte batch");
        }
    }

    /** The batch's bytes, position 0 to its end; shares content with this view. */
    public ByteBuffer buffer() {
        return buffer.duplicate();
    }

    /** The records as encoded, in order, without decoding them: views sharing this batch's bytes. */
    public List<ByteBuffer> encodedRecords() {
        List<ByteBuffer> out = new ArrayList<>(recordCount());
        int position = HEADER_SIZE;
        for (int i = 0; i < recordCount(); i++) {
            int size = RecordCodec.sizeAt(buffer, position);
            out.add(buffer.slice(position, size));
            position += size;
        }
        return out;
    }

    /** Decodes the records lazily, each with its absolute offset. */
    public Iterable<Record> records() {
        return () -> new Iterator<>() {
            private final int count = recordCount();
            private final long base = baseOffset();
            private int index;
            private int position = HEADER_SIZE;

            @Override
            public boolean hasNext() {
                return index < count;
            }

            @Override
            public Record next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int size = RecordCodec.sizeAt(buffer, position);
                Record record = RecordCodec.decode(buffer.slice(position, size), base + index);
                position += size;
                index++;
                return record;
            }
        };
    }
}
