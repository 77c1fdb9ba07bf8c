package io.tributary.storage.shared;

import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.protocol.shared.ClaimedRange;
import io.tributary.protocol.shared.ClaimedRange.Fate;
import io.tributary.storage.log.LogRead;
import io.tributary.storage.log.Rebatcher;
import io.tributary.storage.partition.Partition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A claim of a shared subscription on the partition leader: hands a consumer up to
 * {@code max} messages nobody else holds, due redeliveries first (lowest offsets first), then
 * messages never delivered, and leases them until the ack timeout. Decides each message's
 * fate where the data is: a redelivery of a message already delivered {@code maxDeliveries}
 * times, a message past its TTL (with a dead letter topic) and a rejected one go to the dead
 * letter topic instead (the gateway publishes them, then settles them); records the tag
 * filter does not take, and expired ones without a dead letter topic, are settled unseen.
 * Reads, decides and leases under the store's lock, so two claims never hand out the same
 * offset. A claim of dead letters only (right after a nack without requeue, so a rejected
 * message reaches the dead letter topic without waiting for the next consumer) takes nothing else. Blocks on disk: call from the disk scheduler.
 */
public final class SharedDispatcher {
    /**
     * The subscription's settings, as the gateway passes them from the metadata; {@code keyShare}
     * is null but for a {@code key_shared} subscription.
     */
    public record Settings(long ackTimeoutMs, int maxDeliveries, boolean deadLetters, TagFilter filter, boolean deadLettersOnly,
            KeyShare keyShare) {
        public Settings(long ackTimeoutMs, int maxDeliveries, boolean deadLetters, TagFilter filter, boolean deadLettersOnly) {
            this(ackTimeoutMs, maxDeliveries, deadLetters, filter, deadLettersOnly, null);
        }
    }

    /**
     * A {@code key_shared} claim: the claiming member and the members of group generation
     * {@code generation} (its last heartbeat's).
     */
    public record KeyShare(String member, List<String> members, long generation) {
    }

    /**
     * What a claim hands out: the ranges, and batches of exactly the claimed records; and how
     * many messages it set aside for the members owning their keys ({@code waiting}), which
     * changes the state as much as a delivery.
     */
    public record Claimed(List<ClaimedRange> ranges, List<ByteBuffer> batches, int waiting) {
        public boolean isEmpty() {
            return ranges.isEmpty();
        }

        public boolean changedState() {
            return !ranges.isEmpty() || waiting > 0;
        }
    }

    /** One message's fate in this claim. */
    private record Decision(long offset, int deliveries, Fate fate) {
    }

    /** A record as read from the log: encoded, with the epoch of its batch. */
    private record Stored(int epoch, ByteBuffer encoded) {
        String tag() {
            return RecordCodec.readTag(encoded);
        }

        long expireAt() {
            return RecordCodec.readExpireAt(encoded);
        }

        byte[] key() {
            return RecordCodec.readKey(encoded);
        }

        /** A delayed record as stored: its released copy, appended at its time, is what is delivered. */
        boolean scheduled() {
            return RecordCodec.readDeliverAt(encoded) != 0;
        }
    }

    static final int READ_CHUNK = 64 * 1024;
    /** key_shared: due offsets one claim looks through for its member's keys. */
    static final int DUE_SCAN = 2_000;

    private final Partition partition;
    private final SharedStore store;
    private final Settings settings;
    private final int maxBytes;
    private final long now;
    private final List<Decision> decisions = new ArrayList<>();
    /** key_shared: which keys this claim may hand out (null for shared). */
    private Keys keys;
    private final Map<Long, Stored> read = new HashMap<>();
    private int bytes;

    private SharedDispatcher(Partition partition, Settings settings, int maxBytes, long now) {
        this.partition = partition;
        this.store = partition.shared();
        this.settings = settings;
        this.maxBytes = maxBytes;
        this.now = now;
    }

    /**
     * Claims up to {@code max} messages of {@code sub} for one consumer. A subscription that has
     * never claimed here starts at its committed position (the one its declaration pinned), else
     * at {@code start}; with neither, the claim is refused ({@code conflict}) so the caller can
     * resolve the subscription's {@code startAt} and name it.
     */
    public static Claimed claim(Partition partition, String sub, Long start, int max, int maxBytes, Settings settings, long now)
            throws IOException {
        SharedDispatcher d = new SharedDispatcher(partition, settings, maxBytes, now);
        synchronized (d.store) {
            return d.run(sub, start, max);
        }
    }

    private Claimed run(String sub, Long start, int max) throws IOException {
        SharedState state = store.state(sub).orElseGet(() -> store.stateStartingAt(sub, firstPosition(sub, start)));
        long logStart = partition.log().startOffset();
        long visible = partition.highWatermark().value();
        List<Long> settle = new ArrayList<>();
        if (settings.keyShare() != null) {
            keys = new Keys(settings.keyShare(), heldKeys(state, logStart));
            bytes = 0; // what was read to learn the held keys is not handed out
        }
        List<LeaseRanges.Span> dueSpans = state.due(now, keys == null ? max : DUE_SCAN);
        // key_shared: new messages only once every due one was looked at (one of a key left due
        // must go out before the later ones of that key).
        boolean sawAllDue = keys == null || dueSpans.stream().mapToLong(LeaseRanges.Span::count).sum() < DUE_SCAN;
        for (LeaseRanges.Span due : dueSpans) {
            if (!settings.deadLettersOnly() || due.lease().deadLettering()) {
                sawAllDue &= redeliver(due, logStart, settle, max);
            }
        }
        long readEnd = state.dispatched();
        if (readEnd < logStart) {
            readEnd = logStart; // retention removed what was never delivered
        }
        int left = settings.deadLettersOnly() || !sawAllDue ? 0 : max - decisions.size();
        List<Long> waiting = new ArrayList<>();
        while (left > 0 && readEnd < visible && bytes < maxBytes) {
            long readFrom = readEnd;
            long readTo = readFrom(readFrom, visible);
            if (readTo <= readFrom) {
                break;
            }
            for (long o = readFrom; o < readTo && left > 0; o++) {
                Stored r = read.get(o);
                readEnd = o + 1;
                if (r == null || r.scheduled() || !settings.filter().matches(r.tag())) {
                    continue;
                }
                if (expired(r)) {
                    if (settings.deadLetters()) {
                        decisions.add(new Decision(o, 0, Fate.EXPIRED));
                        left--;
                    }
                    continue;
                }
                if (keys != null && !keys.take(r)) {
                    waiting.add(o); // another member's key, or one waiting behind an earlier message
                    continue;
                }
                decisions.add(new Decision(o, 1, Fate.DELIVER));
                left--;
            }
        }
        if (!settle.isEmpty()) {
            store.ack(sub, settle);
        }
        if (!waiting.isEmpty()) {
            // Leased to nobody, due at once, never delivered (0 deliveries): the claims of the
            // member owning the key take them as due messages, first.
            store.leased(sub, ranges(waiting.stream().map(o -> new Decision(o, 0, Fate.DELIVER)).toList()), readEnd, 0);
        }
        List<ClaimedRange> ranges = ranges(decisions);
        store.leased(sub, ranges, readEnd, now + settings.ackTimeoutMs());
        return new Claimed(ranges, List.of(claimedRecords()), waiting.size());
    }

    private long firstPosition(String sub, Long start) {
        return partition.cursors().get(sub).or(() -> java.util.Optional.ofNullable(start)).orElseThrow(() ->
                TributaryException.conflict("subscription '" + sub + "' has no position on this partition yet: name where it starts"));
    }

    /**
     * A due range: each message is delivered again, or dead-lettered, or (gone to retention)
     * settled; key_shared leaves the ones of keys this member may not take due. Returns false
     * when it stopped at {@code max} messages (or the read budget) before the range's end.
     */
    private boolean redeliver(LeaseRanges.Span due, long logStart, List<Long> settle, int max) throws IOException {
        for (long o = due.from(); o < Math.min(due.to(), logStart); o++) {
            settle.add(o);
        }
        long from = Math.max(due.from(), logStart);
        if (from >= due.to()) {
            return true;
        }
        Lease lease = due.lease();
        readRange(from, due.to());
        for (long o = from; o < due.to(); o++) {
            if (keys != null && (decisions.size() >= max || bytes >= maxBytes)) {
                return false;
            }
            Stored r = read.get(o);
            if (r == null) {
                settle.add(o); // not in the log any more
            } else if (lease.deadLettering()) {
                decisions.add(new Decision(o, lease.deliveries(), lease.fate()));
            } else if (expired(r)) {
                if (settings.deadLetters()) {
                    decisions.add(new Decision(o, lease.deliveries(), Fate.EXPIRED));
                } else {
                    settle.add(o);
                }
            } else if (settings.maxDeliveries() > 0 && lease.deliveries() >= settings.maxDeliveries()) {
                decisions.add(new Decision(o, lease.deliveries(), Fate.MAX_DELIVERIES));
            } else if (keys == null || keys.take(r)) {
                decisions.add(new Decision(o, lease.deliveries() + 1, Fate.DELIVER));
            }
        }
        return true;
    }

    /**
     * key_shared: the keys of messages a consumer holds now (leased, deadline not passed): no
     * message of those keys goes out until they are acked, nacked or due again, so a key is
     * never with two members at once and its messages go out in order.
     */
    private java.util.Set<Long> heldKeys(SharedState state, long logStart) throws IOException {
        java.util.Set<Long> held = new java.util.HashSet<>();
        for (LeaseRanges.Span s : state.spansInOrder()) {
            if (s.lease().dueAt(now) || s.lease().deadLettering() || s.to() <= logStart) {
                continue;
            }
            long from = Math.max(s.from(), logStart);
            readRange(from, s.to());
            for (long o = from; o < s.to(); o++) {
                Stored r = read.get(o);
                byte[] key = r == null ? null : r.key();
                if (key != null) {
                    held.add(io.tributary.storage.index.KeyHash.of(key));
                }
            }
        }
        return held;
    }

    /**
     * key_shared: a message goes to the claiming member only if its key is the member's (by
     * the {@link KeyRing} of the members it knows) and no earlier message of the key is held or
     * left waiting; once one is refused, every later message of its key is too. Keyless
     * messages go to any member, in no order.
     */
    private static final class Keys {
        private final String member;
        private final KeyRing ring;
        private final java.util.Set<Long> blocked;

        Keys(KeyShare share, java.util.Set<Long> held) {
            this.member = share.member();
            this.ring = KeyRing.of(share.members().contains(share.member()) ? share.members()
                    : java.util.stream.Stream.concat(share.members().stream(), java.util.stream.Stream.of(share.member())).toList());
            this.blocked = held;
        }

        boolean take(Stored r) {
            byte[] key = r.key();
            if (key == null) {
                return true;
            }
            long h = io.tributary.storage.index.KeyHash.of(key);
            if (!blocked.contains(h) && member.equals(ring.owner(h))) {
                return true;
            }
            blocked.add(h);
            return false;
        }
    }

    private boolean expired(Stored r) {
        return r.expireAt() != 0 && r.expireAt() <= now;
    }

    /** Only the claimed records, rebatched: the gateway decodes nothing it does not hand out. */
    private ByteBuffer claimedRecords() {
        Rebatcher out = new Rebatcher();
        decisions.stream().mapToLong(Decision::offset).sorted().forEach(o -> {
            Stored r = read.get(o);
            out.add(o, r.epoch(), r.encoded());
        });
        return out.build();
    }

    /** Reads the batches holding {@code [from, to)} that this claim has not read yet. */
    private void readRange(long from, long to) throws IOException {
        long at = from;
        while (at < to) {
            if (read.containsKey(at)) {
                at++;
                continue;
            }
            long end = readFrom(at, Long.MAX_VALUE);
            if (end <= at) {
                return;
            }
            at = end;
        }
    }

    /**
     * Reads whole batches from {@code offset} below {@code visible} and keeps their records
     * (encoded, not decoded) by offset; returns the offset after the last one kept, or
     * {@code offset} when there was nothing.
     */
    private long readFrom(long offset, long visible) throws IOException {
        // Small reads, as many as it takes: a claim of a hundred small messages should not read
        // a megabyte of them.
        LogRead r = partition.readVisible(offset, Math.max(1, Math.min(READ_CHUNK, maxBytes - bytes)));
        if (r.isEmpty()) {
            return offset;
        }
        ByteBuffer b = r.toBuffer();
        bytes += b.remaining();
        long end = offset;
        for (RecordBatch batch : RecordBatch.split(b)) {
            List<ByteBuffer> records = batch.encodedRecords();
            for (int i = 0; i < records.size(); i++) {
                long o = batch.baseOffset() + i;
                if (o < visible) {
                    read.put(o, new Stored(batch.leaderEpoch(), records.get(i)));
                    end = Math.max(end, o + 1);
                }
            }
        }
        return end;
    }

    /** Consecutive offsets with the same fate and delivery count, as ranges. */
    static List<ClaimedRange> ranges(List<Decision> decisions) {
        List<ClaimedRange> out = new ArrayList<>();
        ClaimedRange open = null;
        for (Decision d : decisions) {
            if (open != null && open.to() == d.offset() && open.deliveries() == d.deliveries() && open.fate() == d.fate()) {
                open = new ClaimedRange(open.from(), d.offset() + 1, d.deliveries(), d.fate());
                continue;
            }
            if (open != null) {
                out.add(open);
            }
            open = new ClaimedRange(d.offset(), d.offset() + 1, d.deliveries(), d.fate());
        }
        if (open != null) {
            out.add(open);
        }
        return out;
    }
}
