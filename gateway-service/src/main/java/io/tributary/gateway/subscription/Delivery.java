package io.tributary.gateway.subscription;

import io.tributary.protocol.record.Record;

/**
 * What a consumer stream hands on for one partition: a record, or a gap, the positions
 * {@code from} (inclusive) to {@code to} (exclusive) that retention removed before this
 * consumer read them (SSE tells the client with a {@code retention} event rather than
 * skipping silently). Exactly one of {@code record} and {@code gap} is set.
 */
public record Delivery(int partition, Record record, Gap gap) {

    /** Positions retention removed before they were read. */
    public record Gap(long from, long to) {
    }

    public Delivery(int partition, Record record) {
        this(partition, record, null);
    }

    public static Delivery gap(int partition, long from, long to) {
        return new Delivery(partition, null, new Gap(from, to));
    }

    public boolean isGap() {
        return gap != null;
    }

    /** The position after this delivery. */
    public long nextOffset() {
        return isGap() ? gap.to() : record.offset() + 1;
    }

    public String id() {
        return partition + "-" + record.offset();
    }
}
