package io.tributary.routing.producer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Producer ids for idempotent appends (see storage's {@code ProducerSequences}): unique across
 * every routing instance that ever ran against this cluster, without a round trip per id. An
 * instance takes a number once at start ({@code INCR} in Redis, see {@code RedisKeys}) and
 * hands out {@code instance << 24 | n} for n = 0, 1, 2, ...: a fresh id for every partition's
 * batch chain, and another whenever a chain has to start over.
 */
public final class ProducerIds {
    static final int LOCAL_BITS = 24;

    private final long instance;
    private final AtomicLong next = new AtomicLong();

    public ProducerIds(long instance) {
        if (instance < 0 || instance >= (1L << (62 - LOCAL_BITS))) {
            throw new IllegalArgumentException("producer instance number out of range: " + instance);
        }
        this.instance = instance;
    }

    /** A producer id no other chain of any routing instance has used. */
    public long next() {
        long n = next.getAndIncrement();
        if (n >= (1L << LOCAL_BITS)) {
            throw new IllegalStateException("this routing instance used up its producer ids; restart it for a new range");
        }
        return (instance << LOCAL_BITS) | n;
    }
}
