package io.tributary.storage.log;

/** Offsets assigned to an appended batch, and the log end after it. */
public record AppendResult(long baseOffset, long lastOffset, long logEndOffset) {
}
