package io.tributary.storage.segment;

/**
 * How segments are cut and indexed.
 *
 * @param segmentBytes the active segment rolls when an append would take it past this size
 * @param segmentMs the active segment rolls when its first append is older than this
 * @param indexIntervalBytes bytes of log between two offset (and time) index entries
 */
public record SegmentConfig(int segmentBytes, long segmentMs, int indexIntervalBytes) {
    public SegmentConfig {
        if (segmentBytes < 1024 || indexIntervalBytes < 1 || segmentMs < 1) {
            throw new IllegalArgumentException("segmentBytes >= 1024, segmentMs >= 1, indexIntervalBytes >= 1");
        }
    }

    /** Index entries a segment can need: one per interval, plus one per batch when batches exceed it. */
    public int maxIndexEntries() {
        return segmentBytes / Math.max(1, Math.min(indexIntervalBytes, segmentBytes)) + 2;
    }
}
