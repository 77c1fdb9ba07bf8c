package io.tributary.storage.shared;

import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.shared.ClaimedRange;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.files.LineJournal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@link SharedState} of every shared subscription of one partition, kept in a
 * {@link LineJournal} ({@code shared.log}) of the operations that changed them, replayed on
 * open. One line per operation, fields separated by single spaces:
 *
 * <pre>
 * &lt;sub&gt; L &lt;from&gt; &lt;to&gt; &lt;deliveries&gt; &lt;deadlineMs&gt; &lt;fate&gt;   [from, to) is leased (fate: ClaimedRange.Fate ordinal)
 * &lt;sub&gt; A &lt;to&gt;                                           everything unleased below to is settled
 * &lt;sub&gt; S &lt;from&gt; &lt;to&gt;                                   [from, to) is settled (acked, dead-lettered)
 * &lt;sub&gt; K &lt;offset&gt;                                       seek: nothing pending, delivery starts at offset
 * &lt;sub&gt; X                                                the subscription's state is gone
 * </pre>
 *
 * Compaction writes, per subscription, a {@code K} line then one {@code L} line per range.
 * Appends reach the page cache at once and the disk with the partition's flush (the
 * replicated flush policy's stance: followers hold a copy, see ReplicaFetcher). Blocks on
 * disk: call from the disk scheduler.
 */
public final class SharedStore implements AutoCloseable {
    public static final String FILE_NAME = "shared.log";
    static final long COMPACT_BYTES = 256 * 1024;

    private final Map<String, SharedState> states = new HashMap<>();
    private LineJournal journal;

    private SharedStore() {
    }

    public static SharedStore open(Path dir, FileCache files) {
        SharedStore store = new SharedStore();
        store.journal = LineJournal.open(dir.resolve(FILE_NAME), files, store::replay);
        return store;
    }

    private void replay(String line) {
        String[] f = line.split(" ");
        if (f.length < 2 || f[0].isEmpty()) {
            return; // a damaged line: skip it
        }
        try {
            applyOp(f[0], f);
        } catch (RuntimeException ignored) {
            // as above: numbers that do not parse, a line cut short
        }
    }

    private void applyOp(String sub, String[] f) {
        switch (f[1]) {
            case "L" -> stateOrStart(sub, Long.parseLong(f[2])).lease(Long.parseLong(f[2]), Long.parseLong(f[3]),
                    new Lease(Integer.parseInt(f[4]), Long.parseLong(f[5]), ClaimedRange.Fate.values()[Integer.parseInt(f[6])]));
            case "A" -> stateOrStart(sub, Long.parseLong(f[2])).advance(Long.parseLong(f[2]));
            case "S" -> {
                SharedState s = states.get(sub);
                if (s != null) {
                    s.settle(Long.parseLong(f[2]), Long.parseLong(f[3]));
                }
            }
            case "K" -> stateOrStart(sub, Long.parseLong(f[2])).seek(Long.parseLong(f[2]));
            case "X" -> states.remove(sub);
            default -> {
                // an operation this version does not know: skip it
            }
        }
    }

    private SharedState stateOrStart(String sub, long start) {
        return states.computeIfAbsent(sub, k -> new SharedState(start));
    }

    /** The state of {@code sub}, if it has delivered anything here. */
    public synchronized Optional<SharedState> state(String sub) {
        return Optional.ofNullable(states.get(sub));
    }

    /** The state of {@code sub}, starting it at {@code start} if it has none yet. */
    public synchronized SharedState stateStartingAt(String sub, long start) {
        SharedState s = states.get(sub);
        if (s == null) {
            s = stateOrStart(sub, start);
            write(sub, "K " + start);
        }
        return s;
    }

    /** Counts changes since open (the journal's), so a follower can tell its copy is behind the leader's. */
    public synchronized long version() {
        return journal.changes();
    }

    /** What a claim decided: {@code ranges} are leased until {@code deadlineMs}, and nothing below {@code readEnd} is new. */
    public synchronized void leased(String sub, List<ClaimedRange> ranges, long readEnd, long deadlineMs) {
        SharedState s = require(sub);
        for (ClaimedRange r : ranges) {
            Lease l = new Lease(r.deliveries(), deadlineMs, r.fate());
            s.lease(r.from(), r.to(), l);
            write(sub, "L " + r.from() + " " + r.to() + " " + l.deliveries() + " " + l.deadlineMs() + " " + l.fate().ordinal());
        }
        if (readEnd > s.dispatched()) {
            s.advance(readEnd);
            write(sub, "A " + readEnd);
        }
    }

    /** Offsets that were never delivered to anyone: an ack or nack naming one is refused. */
    private static void requireDelivered(SharedState s, String sub, List<Long> offsets) {
        List<Long> unknown = offsets.stream().filter(o -> o >= s.dispatched()).toList();
        if (!unknown.isEmpty()) {
            throw TributaryException.invalidArgument("offsets " + unknown + " were never delivered to a consumer of '" + sub
                    + "' (it has delivered up to offset " + s.dispatched() + "); nothing was acknowledged");
        }
    }

    /**
     * Acks {@code offsets} (or settles them after a dead letter was published): all or
     * nothing, refused if one was never delivered. An offset settled already is no error (a
     * retried ack). Returns the subscription's committed position after it.
     */
    public synchronized long ack(String sub, List<Long> offsets) {
        SharedState s = require(sub);
        requireDelivered(s, sub, offsets);
        for (long[] run : runs(offsets)) {
            if (!s.leased(run[0], run[1]).isEmpty()) {
                s.settle(run[0], run[1]);
                write(sub, "S " + run[0] + " " + run[1]);
            }
        }
        return s.floor();
    }

    /**
     * Nacks {@code offsets}: with {@code requeue} they are due again at once (keeping their
     * delivery count; {@code undeliver} takes back the delivery, for messages a gateway claimed
     * but never sent); without, they go to the dead letter topic ({@code deadLetter}) or are
     * settled. Offsets without a lease (acked meanwhile) are left alone.
     */
    public synchronized long nack(String sub, List<Long> offsets, boolean requeue, boolean undeliver, boolean deadLetter) {
        SharedState s = require(sub);
        requireDelivered(s, sub, offsets);
        for (long[] run : runs(offsets)) {
            for (LeaseRanges.Span span : s.leased(run[0], run[1])) {
                if (!requeue && !deadLetter) {
                    s.settle(span.from(), span.to());
                    write(sub, "S " + span.from() + " " + span.to());
                    continue;
                }
                Lease l = span.lease();
                int deliveries = undeliver && !l.deadLettering() ? Math.max(0, l.deliveries() - 1) : l.deliveries();
                ClaimedRange.Fate fate = requeue ? l.fate() : ClaimedRange.Fate.REJECTED;
                Lease next = new Lease(deliveries, 0, fate);
                s.lease(span.from(), span.to(), next);
                write(sub, "L " + span.from() + " " + span.to() + " " + deliveries + " 0 " + fate.ordinal());
            }
        }
        return s.floor();
    }

    /** A seek: the subscription's pending state is dropped and delivery starts again at {@code offset}. */
    public synchronized void seek(String sub, long offset) {
        stateOrStart(sub, offset).seek(offset);
        write(sub, "K " + offset);
    }

    /**
     * After an unclean stop: a subscription that delivered past the log's recovered end (the
     * messages the log lost) starts again at the end. Returns whether one did.
     */
    public synchronized boolean clampTo(long end) {
        List<String> past = states.entrySet().stream().filter(e -> e.getValue().dispatched() > end).map(Map.Entry::getKey).toList();
        past.forEach(sub -> seek(sub, end));
        return !past.isEmpty();
    }

    public synchronized void remove(String sub) {
        if (states.remove(sub) != null) {
            write(sub, "X");
        }
    }

    /** One range of a snapshot. */
    public record SpanView(long from, long to, int deliveries, long deadlineMs, ClaimedRange.Fate fate) {
    }

    /** A subscription's state as followers copy it. */
    public record StateView(long dispatched, List<SpanView> spans) {
    }

    public synchronized Map<String, StateView> snapshot() {
        Map<String, StateView> out = new TreeMap<>();
        states.forEach((sub, s) -> {
            List<SpanView> spans = new ArrayList<>(s.spans());
            for (LeaseRanges.Span sp : s.spansInOrder()) {
                spans.add(new SpanView(sp.from(), sp.to(), sp.lease().deliveries(), sp.lease().deadlineMs(), sp.lease().fate()));
            }
            out.put(sub, new StateView(s.dispatched(), spans));
        });
        return out;
    }

    /** Replaces every state with the leader's (a follower's copy): written compactly, durable with the next flush. */
    public synchronized void replaceAll(Map<String, StateView> leaders) {
        states.clear();
        leaders.forEach((sub, v) -> {
            SharedState s = stateOrStart(sub, v.dispatched());
            for (SpanView sp : v.spans()) {
                s.lease(sp.from(), sp.to(), new Lease(sp.deliveries(), sp.deadlineMs(), sp.fate()));
            }
            s.advance(v.dispatched());
        });
        compact(false);
    }

    private SharedState require(String sub) {
        SharedState s = states.get(sub);
        if (s == null) {
            throw TributaryException.invalidArgument("subscription '" + sub + "' has delivered nothing from this partition yet");
        }
        return s;
    }

    /** Sorted, deduplicated offsets as runs of consecutive ones, {from, to} each. */
    static List<long[]> runs(List<Long> offsets) {
        long[] sorted = offsets.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
        List<long[]> out = new ArrayList<>();
        int i = 0;
        while (i < sorted.length) {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] == sorted[j] + 1) {
                j++;
            }
            out.add(new long[] {sorted[i], sorted[j] + 1});
            i = j + 1;
        }
        return out;
    }

    private void write(String sub, String op) {
        journal.append(LineJournal.field(sub) + " " + op);
        if (journal.size() > COMPACT_BYTES) {
            compact();
        }
    }

    private void compact() {
        compact(true);
    }

    private void compact(boolean durable) {
        StringBuilder sb = new StringBuilder();
        states.forEach((sub, s) -> {
            sb.append(sub).append(" K ").append(s.dispatched()).append('\n');
            for (LeaseRanges.Span sp : s.spansInOrder()) {
                Lease l = sp.lease();
                sb.append(sub).append(" L ").append(sp.from()).append(' ').append(sp.to()).append(' ').append(l.deliveries())
                        .append(' ').append(l.deadlineMs()).append(' ').append(l.fate().ordinal()).append('\n');
            }
        });
        journal.rewrite(sb.toString(), durable);
    }

    public synchronized void flush() {
        journal.flush();
    }

    @Override
    public synchronized void close() {
        journal.close();
    }
}
