package io.tributary.storage.filter;

import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.storage.log.Rebatcher;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A consumer read with a tag filter, evaluated where the data is: of the whole batches a read
 * returned, only the records at or after the asked offset whose tag the filter takes, so the
 * records a consumer does not want never cross the network.
 *
 * <p>The batch format has no per-record offset (a record's offset is the batch's base offset
 * plus its index), so each run of consecutive matching records becomes a batch of its own
 * ({@link Rebatcher}). Records are copied as encoded, not decoded. The answer
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
        Rebatcher out = new Rebatcher();
        long next = from;
        for (RecordBatch batch : RecordBatch.split(read)) {
            List<ByteBuffer> records = batch.encodedRecords();
            for (int i = 0; i < records.size(); i++) {
                long offset = batch.baseOffset() + i;
                if (offset >= from && filter.matches(RecordCodec.readTag(records.get(i)))) {
                    out.add(offset, batch.leaderEpoch(), records.get(i));
                }
            }
            next = Math.max(next, batch.nextOffset());
        }
        return new TagFilteredRead(out.build(), next);
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
