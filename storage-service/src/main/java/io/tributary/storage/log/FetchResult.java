package io.tributary.storage.log;

import java.nio.ByteBuffer;

/**
 * Whole batches read from a log, starting with the batch that holds the requested offset
 * (so the first batch may begin before it: readers skip records below their position).
 */
public record FetchResult(ByteBuffer batches, long logStartOffset, long logEndOffset) {
    public boolean isEmpty() {
        return !batches.hasRemaining();
    }
}
