package io.tributary.storage.shared;

import java.util.ArrayList;
import java.util.List;

/**
 * The ack state of one shared subscription on one partition, RabbitMQ's per-message
 * acknowledgement kept as ranges:
 * <ul>
 *   <li>{@code dispatched}: the first offset never handed to any consumer;</li>
 *   <li>the {@link LeaseRanges} below it: offsets delivered and not acked yet (in flight until
 *       their deadline, then due for redelivery);</li>
 *   <li>every other offset below {@code dispatched} is settled: acked, dead-lettered, or never
 *       deliverable (a tag filter did not take it, its TTL passed).</li>
 * </ul>
 * So the committed position ({@link #floor}) is the lowest unsettled offset, and everything the
 * state holds is a long and a few ranges, however many messages are unacked.
 *
 * <p>The mutators are the operations {@link SharedStore} journals and replays; they check
 * nothing, the store decides. Not thread-safe.
 */
public final class SharedState {
    private long dispatched;
    private final LeaseRanges pending = new LeaseRanges();

    SharedState(long dispatched) {
        this.dispatched = dispatched;
    }

    /** Everything below is settled: the subscription's committed position on the partition. */
    public long floor() {
        return pending.firstOr(dispatched);
    }

    /** The first offset never delivered. */
    public long dispatched() {
        return dispatched;
    }

    /** Delivered offsets without an ack: in flight, or due again. */
    public long unacked() {
        return pending.count();
    }

    /** Unacked offsets a consumer still holds (their deadline not passed). */
    public long inFlight(long nowMs) {
        long n = 0;
        for (LeaseRanges.Span s : pending.all()) {
            if (!s.lease().dueAt(nowMs)) {
                n += s.count();
            }
        }
        return n;
    }

    /** Ranges held on the heap. */
    public int spans() {
        return pending.spans();
    }

    Lease leaseOf(long offset) {
        return pending.get(offset);
    }

    /** Due ranges (deadline passed, or nacked), lowest offsets first, {@code max} offsets at most. */
    List<LeaseRanges.Span> due(long nowMs, long max) {
        List<LeaseRanges.Span> out = new ArrayList<>();
        long left = max;
        for (LeaseRanges.Span s : pending.all()) {
            if (left <= 0) {
                break;
            }
            if (s.lease().dueAt(nowMs)) {
                long to = Math.min(s.to(), s.from() + left);
                out.add(new LeaseRanges.Span(s.from(), to, s.lease()));
                left -= to - s.from();
            }
        }
        return out;
    }

    /** The leased parts of {@code [from, to)}. */
    List<LeaseRanges.Span> leased(long from, long to) {
        return pending.within(from, to);
    }

    Iterable<LeaseRanges.Span> spansInOrder() {
        return pending.all();
    }

    // ---- the journaled operations ---------------------------------------------------------

    /** {@code [from, to)} is delivered under {@code lease}; nothing at or past {@code to} was before, then. */
    void lease(long from, long to, Lease lease) {
        pending.put(from, to, lease);
        dispatched = Math.max(dispatched, to);
    }

    /** Everything below {@code to} not leased is settled (skipped by a filter, or expired). */
    void advance(long to) {
        dispatched = Math.max(dispatched, to);
    }

    /** {@code [from, to)} is acked or dead-lettered. */
    void settle(long from, long to) {
        pending.remove(from, to);
    }

    /** A seek: nothing is pending any more, and delivery starts again at {@code offset}. */
    void seek(long offset) {
        pending.clear();
        dispatched = offset;
    }
}
