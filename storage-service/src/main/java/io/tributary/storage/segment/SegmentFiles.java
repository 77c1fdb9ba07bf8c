package io.tributary.storage.segment;

import java.nio.file.Path;

/**
 * File names of a segment, Kafka's layout: the base offset as 20 digits, one file per kind.
 *
 * <pre>
 * 00000000000000000000.log        record batches back to back, exactly as appended
 * 00000000000000000000.index      sparse offset index: (int32 offset - base, int32 file position)
 * 00000000000000000000.timeindex  time index: (int64 max timestamp so far, int32 offset - base)
 * 00000000000000000000.keys       key index of the active segment: (int64 key hash, int32 offset - base), append order
 * 00000000000000000000.keyindex   key index of a sealed segment: the same entries sorted by (hash, offset)
 * </pre>
 *
 * Every index is derived from the .log file and is rebuilt from it when missing or damaged.
 */
public final class SegmentFiles {
    public static final String LOG = ".log";
    public static final String OFFSET_INDEX = ".index";
    public static final String TIME_INDEX = ".timeindex";
    public static final String ACTIVE_KEYS = ".keys";
    public static final String KEY_INDEX = ".keyindex";

    private SegmentFiles() {
    }

    public static String baseName(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    public static Path file(Path dir, long baseOffset, String suffix) {
        return dir.resolve(baseName(baseOffset) + suffix);
    }

    /** The base offset of a {@code .log} file name, or -1 if it is not one. */
    public static long baseOffsetOf(String fileName) {
        if (!fileName.endsWith(LOG) || fileName.length() != 20 + LOG.length()) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(0, 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
