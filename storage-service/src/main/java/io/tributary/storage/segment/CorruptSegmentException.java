package io.tributary.storage.segment;

/**
 * A batch in the middle of a log (not its tail) that does not check: the segment and the
 * offset where it was expected. The partition serves nothing at or past it.
 */
public class CorruptSegmentException extends RuntimeException {
    private final String segment;
    private final long offset;
    private final long position;

    public CorruptSegmentException(String segment, long offset, long position, String why) {
        super("corrupt batch in segment " + segment + " at offset " + offset + " (byte " + position + "): " + why);
        this.segment = segment;
        this.offset = offset;
        this.position = position;
    }

    public String segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    public long position() {
        return position;
    }
}
