package io.tributary.storage.filter;

import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A consumer read with a tag filter, evaluated where the data is: of the whole batches a read
 * returned, only the records at or after the asked offset whose tag the filter takes, so the
 * records a consumer does not want never cross the network.
 *
 * <p>The batch format has no per-record offset (a record's offset is the batch's base offset
 * plus its index), so each run of consecutive matching records becomes a batch of its own,
 * based at the run's first offset and keeping the original batch's leader epoch. Records are
 * copied as encoded, not decoded; the builder computes the new batches' CRCs. The answer
 * also says where the read ended ({@link #nextOffset}): when nothing matched, the consumer
 * still moves past what was looked at. Unfiltered reads never come here (they stay
 * zero-copy).
 */
public final class TagFilteredRead {
    private final ByteBuffer batches;
    private final long nextOffset;

    private TagFilteredRead(ByteBuffer batches, long nextOffset) {
        this.batches = batches;
        this.nextOffset = nextOffset;
    }

    /** The matching records of {@code read} (whole batches, as the log returned them) from {@code from} on. */
    public static TagFilteredRead of(ByteBuffer read, TagFilter filter, long from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long next = from;
        for (RecordBatch batch : RecordBatch.split(read)) {
            List<ByteBuffer> records = batch.encodedRecords();
            RecordBatchBuilder run = null;
            long runStart = -1;
            for (int i = 0; i < records.size(); i++) {
                long offset = batch.baseOffset() + i;
                boolean take = offset >= from && filter.matches(RecordCodec.readTag(records.get(i)));
                if (take && run == null) {
                    run = new RecordBatchBuilder();
                    runStart = offset;
                }
                if (take) {
                    run.add(records.get(i));
                } else if (run != null) {
                    write(out, run, runStart, batch.leaderEpoch());
                    run = null;
                }
            }
            if (run != null) {
                write(out, run, runStart, batch.leaderEpoch());
            }
            next = Math.max(next, batch.nextOffset());
        }
        return new TagFilteredRead(ByteBuffer.wrap(out.toByteArray()), next);
    }

    private static void write(ByteArrayOutputStream out, RecordBatchBuilder run, long base, int epoch) {
        RecordBatch b = RecordBatch.view(run.build());
        b.setBaseOffset(base);
        b.setLeaderEpoch(epoch);
        ByteBuffer bytes = b.buffer();
        out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
    }

    /** Batches of the matching records; empty when none matched. */
    public ByteBuffer batches() {
        return batches.duplicate();
    }

    /** The offset after the last record looked at: where the consumer reads next. */
    public long nextOffset() {
        return nextOffset;
    }
}
