package io.tributary.protocol.shared;

/**
 * Offsets {@code from} (inclusive) to {@code to} (exclusive) of one partition that a shared
 * subscription's claim handed to a consumer, all with the same fate: delivered (for the
 * {@code deliveries}-th time, the first included), or to be dead-lettered for {@code reason}.
 */
public record ClaimedRange(long from, long to, int deliveries, Fate fate) {

    /** What the consumer's gateway does with the range. */
    public enum Fate {
        /** Send to the consumer, which acks or nacks each message. */
        DELIVER("deliver"),
        /** Delivered {@code maxDeliveries} times without an ack: to the dead letter topic. */
        MAX_DELIVERIES("max-deliveries"),
        /** Past its TTL before it was delivered: to the dead letter topic. */
        EXPIRED("expired"),
        /** Nacked without requeue: to the dead letter topic. */
        REJECTED("rejected");

        private final String reason;

        Fate(String reason) {
            this.reason = reason;
        }

        /** The dead-letter reason as the dead letter message's header carries it. */
        public String reason() {
            return reason;
        }
    }

    public boolean contains(long offset) {
        return offset >= from && offset < to;
    }

    public long count() {
        return to - from;
    }
}
