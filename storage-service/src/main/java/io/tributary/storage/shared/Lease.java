package io.tributary.storage.shared;

import io.tributary.protocol.shared.ClaimedRange.Fate;

/**
 * What a shared subscription knows of delivered offsets it has no ack for: how often they were
 * delivered (the first delivery counts 1), until when the consumer or gateway holding them has
 * them ({@code deadlineMs}: then they are due again), and their fate: {@code DELIVER} for a
 * message consumers get, or the dead-letter reason of one that is on its way to the dead
 * letter topic (it stays that way when due again: a gateway that died before it published the
 * dead letter leaves it to the next claim).
 */
public record Lease(int deliveries, long deadlineMs, Fate fate) {

    public static Lease delivered(int deliveries, long deadlineMs) {
        return new Lease(deliveries, deadlineMs, Fate.DELIVER);
    }

    public boolean deadLettering() {
        return fate != Fate.DELIVER;
    }

    public boolean dueAt(long nowMs) {
        return deadlineMs <= nowMs;
    }
}
