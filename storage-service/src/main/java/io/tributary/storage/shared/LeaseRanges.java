package io.tributary.storage.shared;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Disjoint half-open ranges of offsets, each with a {@link Lease}: the unacked deliveries of a
 * shared subscription on one partition. Offsets handed out together share a lease, so a
 * million unacked messages in batches of a hundred are ten thousand entries, not a million;
 * neighbouring ranges with equal leases merge back into one. Not thread-safe.
 */
final class LeaseRanges {
    /** One range and its lease. */
    record Span(long from, long to, Lease lease) {
        long count() {
            return to - from;
        }
    }

    private final TreeMap<Long, Span> byStart = new TreeMap<>();
    private long count;

    /** Gives {@code [from, to)} the lease {@code lease}, whatever it had before. */
    void put(long from, long to, Lease lease) {
        if (to <= from) {
            return;
        }
        remove(from, to);
        long start = from;
        long end = to;
        Map.Entry<Long, Span> before = byStart.lowerEntry(from);
        if (before != null && before.getValue().to() == from && before.getValue().lease().equals(lease)) {
            start = before.getKey();
            byStart.remove(start);
        }
        Span after = byStart.get(to);
        if (after != null && after.lease().equals(lease)) {
            end = after.to();
            byStart.remove(to);
        }
        byStart.put(start, new Span(start, end, lease));
        count += to - from;
    }

    /** Forgets {@code [from, to)}: the parts of it that had a lease lose it. */
    void remove(long from, long to) {
        if (to <= from) {
            return;
        }
        Map.Entry<Long, Span> first = byStart.floorEntry(from);
        long scanFrom = first != null && first.getValue().to() > from ? first.getKey() : from;
        Iterator<Span> it = byStart.tailMap(scanFrom, true).values().iterator();
        List<Span> keep = new ArrayList<>(2);
        while (it.hasNext()) {
            Span s = it.next();
            if (s.from() >= to) {
                break;
            }
            it.remove();
            count -= s.count();
            if (s.from() < from) {
                keep.add(new Span(s.from(), from, s.lease()));
            }
            if (s.to() > to) {
                keep.add(new Span(to, s.to(), s.lease()));
            }
        }
        for (Span s : keep) {
            byStart.put(s.from(), s);
            count += s.count();
        }
    }

    /** The lease of {@code offset}, or null if it has none. */
    Lease get(long offset) {
        Map.Entry<Long, Span> e = byStart.floorEntry(offset);
        return e != null && e.getValue().to() > offset ? e.getValue().lease() : null;
    }

    /** The parts of {@code [from, to)} that have a lease, in offset order. */
    List<Span> within(long from, long to) {
        List<Span> out = new ArrayList<>();
        Map.Entry<Long, Span> first = byStart.floorEntry(from);
        long scanFrom = first != null && first.getValue().to() > from ? first.getKey() : from;
        for (Span s : byStart.tailMap(scanFrom, true).values()) {
            if (s.from() >= to) {
                break;
            }
            out.add(new Span(Math.max(s.from(), from), Math.min(s.to(), to), s.lease()));
        }
        return out;
    }

    /** Every range, in offset order. */
    Iterable<Span> all() {
        return byStart.values();
    }

    /** The lowest offset with a lease, or {@code otherwise} if none has one. */
    long firstOr(long otherwise) {
        return byStart.isEmpty() ? otherwise : byStart.firstKey();
    }

    /** Offsets with a lease. */
    long count() {
        return count;
    }

    /** Ranges held (what the heap holds). */
    int spans() {
        return byStart.size();
    }

    void clear() {
        byStart.clear();
        count = 0;
    }
}
