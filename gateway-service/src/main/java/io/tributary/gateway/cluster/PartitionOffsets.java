package io.tributary.gateway.cluster;

/** A partition's bounds as its leader reports them. */
public record PartitionOffsets(long startOffset, long endOffset, long highWatermark, long sizeBytes, Long offsetForTimestamp) {
}
