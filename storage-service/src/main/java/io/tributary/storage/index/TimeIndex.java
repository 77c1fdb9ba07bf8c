package io.tributary.storage.index;

import java.nio.file.Path;

/**
 * Time index of one segment: entries (int64 largest timestamp so far, int32 offset - base),
 * added when the largest timestamp grows and an index interval has passed. Because it holds
 * the running maximum, the entries are sorted, and every batch before an entry's offset has
 * all its timestamps at or below that entry's timestamp. To find the first offset at or
 * after a time T (Kafka's offsetsForTimes), start scanning at the last entry whose
 * timestamp is below T.
 */
public final class TimeIndex extends MappedIndex {
    private static final int ENTRY = 12;
    private final long baseOffset;

    public static TimeIndex forAppend(Path file, long baseOffset, int maxEntries) {
        return new TimeIndex(file, baseOffset, maxEntries);
    }

    public static TimeIndex openSealed(Path file, long baseOffset, long nextOffset) {
        TimeIndex idx = new TimeIndex(file, baseOffset);
        idx.check(nextOffset);
        return idx;
    }

    private TimeIndex(Path file, long baseOffset, int maxEntries) {
        super(file, ENTRY, maxEntries);
        this.baseOffset = baseOffset;
    }

    private TimeIndex(Path file, long baseOffset) {
        super(file, ENTRY);
        this.baseOffset = baseOffset;
    }

    public void append(long maxTimestampSoFar, long offset) {
        int i = entries;
        if (i > 0 && (maxTimestampSoFar < timestampAt(i - 1) || offset < offsetAt(i - 1))) {
            throw new IllegalArgumentException("time index entries must not go back");
        }
        buffer.putLong(slot(i), maxTimestampSoFar);
        buffer.putInt(slot(i) + 8, (int) (offset - baseOffset));
        appended();
    }

    public long timestampAt(int i) {
        return buffer.getLong(slot(i));
    }

    public long offsetAt(int i) {
        return baseOffset + buffer.getInt(slot(i) + 8);
    }

    /** The largest timestamp in the index, or -1 when empty. */
    public long lastTimestamp() {
        int n = entries;
        return n == 0 ? -1 : timestampAt(n - 1);
    }

    /**
     * Where to start scanning for the first record with a timestamp at or after {@code ts}:
     * the offset of the last entry whose timestamp is below it (everything before that entry
     * is older than {@code ts}), or the segment's base.
     */
    public long scanStartFor(long ts) {
        int lo = 0;
        int hi = entries - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (timestampAt(mid) < ts) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? baseOffset : offsetAt(found);
    }

    public void truncateFrom(long offset) {
        int n = entries;
        while (n > 0 && offsetAt(n - 1) >= offset) {
            n--;
        }
        truncateTo(n);
    }

    private void check(long nextOffset) {
        for (int i = 0; i < entries; i++) {
            long o = offsetAt(i);
            if (o < baseOffset || o >= Math.max(baseOffset + 1, nextOffset)
                    || (i > 0 && (timestampAt(i) < timestampAt(i - 1) || o < offsetAt(i - 1)))) {
                throw new IndexCorruptException(file + ": entry " + i + " is out of order or past the segment");
            }
        }
    }
}
