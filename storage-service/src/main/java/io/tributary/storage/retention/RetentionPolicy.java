package io.tributary.storage.retention;

import java.util.List;

/**
 * Which old segments a topic's retention removes. Whole segments only, oldest first, never
 * the active one: a segment goes when all of it is older than {@code retentionMs}, or while
 * the partition without it is still at least {@code retentionBytes}. When even the active
 * segment is entirely past {@code retentionMs}, the log should roll so it can go next time.
 */
public final class RetentionPolicy {
    private RetentionPolicy() {
    }

    /** A segment as the policy sees it. */
    public record SegmentInfo(long baseOffset, long sizeBytes, long maxTimestamp) {
    }

    /** How many of the oldest sealed segments to delete, and whether the active one is all expired. */
    public record Decision(int deleteOldest, boolean rollActive) {
    }

    /**
     * @param segments every segment, oldest first; the last is the active one
     * @param retentionMs -1 for no time limit
     * @param retentionBytes -1 for no size limit
     */
    public static Decision decide(List<SegmentInfo> segments, long retentionMs, long retentionBytes, long nowMs) {
        int sealed = segments.size() - 1;
        long total = 0;
        for (SegmentInfo s : segments) {
            total += s.sizeBytes();
        }
        int delete = 0;
        while (delete < sealed) {
            SegmentInfo s = segments.get(delete);
            boolean expired = retentionMs >= 0 && s.maxTimestamp() < nowMs - retentionMs;
            boolean overSize = retentionBytes >= 0 && total - s.sizeBytes() >= retentionBytes;
            if (!expired && !overSize) {
                break;
            }
            total -= s.sizeBytes();
            delete++;
        }
        SegmentInfo active = segments.get(segments.size() - 1);
        boolean rollActive = delete == sealed && retentionMs >= 0 && active.sizeBytes() > 0
                && active.maxTimestamp() < nowMs - retentionMs;
        return new Decision(delete, rollActive);
    }
}
