package io.tributary.storage.index;

/** An index file that does not make sense for its segment; indexes are derived data, so it gets rebuilt. */
public class IndexCorruptException extends RuntimeException {
    public IndexCorruptException(String message) {
        super(message);
    }
}
