package io.tributary.protocol.record;

/** Bytes that claim to be a record batch or a record but do not decode as one. */
public class CorruptRecordException extends RuntimeException {
    public CorruptRecordException(String message) {
        super(message);
    }
}
