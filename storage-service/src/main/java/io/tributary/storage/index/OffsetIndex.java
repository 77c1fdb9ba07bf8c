package io.tributary.storage.index;

import java.nio.file.Path;

/**
 * Sparse offset index of one segment: an entry (int32 offset - base, int32 position) every
 * {@code index interval} bytes of log. A lookup finds the last entry at or below an offset,
 * and the reader scans batch headers forward from its position: O(log entries) plus at most
 * one interval of headers, whatever the log's size.
 */
public final class OffsetIndex extends MappedIndex {
    private static final int ENTRY = 8;
    private final long baseOffset;

    /** A new, empty, writable index for the active segment. */
    public static OffsetIndex forAppend(Path file, long baseOffset, int maxEntries) {
        return new OffsetIndex(file, baseOffset, maxEntries);
    }

    /** A sealed index, checked against its segment (log size {@code logSize}). */
    public static OffsetIndex openSealed(Path file, long baseOffset, long logSize) {
        OffsetIndex idx = new OffsetIndex(file, baseOffset);
        idx.check(logSize);
        return idx;
    }

    private OffsetIndex(Path file, long baseOffset, int maxEntries) {
        super(file, ENTRY, maxEntries);
        this.baseOffset = baseOffset;
    }

    private OffsetIndex(Path file, long baseOffset) {
        super(file, ENTRY);
        this.baseOffset = baseOffset;
    }

    public void append(long offset, long position) {
        int i = entries;
        if (i > 0 && (offset <= offsetAt(i - 1) || position <= positionAt(i - 1))) {
            throw new IllegalArgumentException("index entries must grow: " + offset + "@" + position + " after "
                    + offsetAt(i - 1) + "@" + positionAt(i - 1));
        }
        buffer.putInt(slot(i), (int) (offset - baseOffset));
        buffer.putInt(slot(i) + 4, (int) position);
        appended();
    }

    public long offsetAt(int i) {
        return baseOffset + buffer.getInt(slot(i));
    }

    public long positionAt(int i) {
        return buffer.getInt(slot(i) + 4) & 0xffffffffL;
    }

    /**
     * The position to start scanning for {@code offset}: the position of the last entry whose
     * offset is at most {@code offset} and whose position is below {@code limit} (entries of a
     * batch still being appended are ignored), or 0 (the segment's start) if there is none.
     */
    public long floorPosition(long offset, long limit) {
        int lo = 0;
        int hi = entries - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offsetAt(mid) <= offset && positionAt(mid) < limit) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : positionAt(found);
    }

    /** Drops the entries at or after {@code offset}. */
    public void truncateFrom(long offset) {
        int n = entries;
        while (n > 0 && offsetAt(n - 1) >= offset) {
            n--;
        }
        truncateTo(n);
    }

    private void check(long logSize) {
        for (int i = 0; i < entries; i++) {
            long o = offsetAt(i);
            long p = positionAt(i);
            if (o < baseOffset || p >= Math.max(1, logSize) || (i > 0 && (o <= offsetAt(i - 1) || p <= positionAt(i - 1)))) {
                throw new IndexCorruptException(file + ": entry " + i + " (" + o + "@" + p + ") is out of order or past the log");
            }
        }
    }
}
