package io.tributary.routing.storage;

/** What a storage leader answers to an append. */
public record AppendResponse(long baseOffset, long lastOffset, long logEndOffset) {
}
