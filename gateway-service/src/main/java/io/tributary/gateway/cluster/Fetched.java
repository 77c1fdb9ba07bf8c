package io.tributary.gateway.cluster;

import java.nio.ByteBuffer;

/** A fetch answer from a storage leader: whole record batches plus the log's bounds. */
public record Fetched(ByteBuffer batches, long logStartOffset, long logEndOffset, long highWatermark) {
}
