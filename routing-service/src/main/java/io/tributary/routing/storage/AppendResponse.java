package io.tributary.routing.storage;

import java.util.List;

/**
 * What a storage leader answers to an append: the offsets of the batch's records, in order,
 * from {@code baseOffset}; or, when idempotent publish recognized retries, each record's
 * offset in {@code offsets}.
 */
public record AppendResponse(long baseOffset, long lastOffset, long logEndOffset, List<Long> offsets) {
    /** The offset of the batch's {@code i}-th record. */
    public long offsetOf(int i) {
        return offsets != null ? offsets.get(i) : baseOffset + i;
    }
}
