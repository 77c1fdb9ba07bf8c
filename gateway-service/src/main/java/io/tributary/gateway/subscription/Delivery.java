package io.tributary.gateway.subscription;

import io.tributary.protocol.record.Record;

/**
 * What a consumer stream hands on for one partition: a record, or a gap, the positions
 * {@code from} (inclusive) to {@code to} (exclusive) that retention removed before this
 * consumer read them (SSE tells the client with a {@code retention} event rather than
 * skipping silently). Exactly one of {@code record} and {@code gap} is set. A shared
 * subscription's record carries how often it was delivered (this time included) and until
 * when this consumer holds its lease (after that, it may be redelivered to another).
 */
public record Delivery(int partition, Record record, Gap gap, int deliveryCount, long leaseDeadlineMs) {

    /** Positions retention removed before they were read. */
    public record Gap(long from, long to) {
    }

    public Delivery(int partition, Record record) {
        this(partition, record, null, 1, Long.MAX_VALUE);
    }

    public static Delivery gap(int partition, long from, long to) {
        return new Delivery(partition, null, new Gap(from, to), 0, Long.MAX_VALUE);
    }

    /** A shared subscription's delivery, leased to this consumer until {@code leaseDeadlineMs}. */
    public static Delivery leased(int partition, Record record, int deliveryCount, long leaseDeadlineMs) {
        return new Delivery(partition, record, null, deliveryCount, leaseDeadlineMs);
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
