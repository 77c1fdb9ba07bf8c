package io.tributary.storage.delay;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.storage.log.LogRead;
import io.tributary.storage.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The delayed records of one partition replica still waiting for their time, ordered by when
 * they are due (RocketMQ's delay queue, kept per partition): the timer asks for the due ones
 * without scanning the others, and a record not yet due never holds back those behind it,
 * which consumers read as usual.
 *
 * <p>It is a function of the log alone: a record stored with a {@code deliverAt} is pending
 * until the log holds its released copy (a record with the released attribute whose
 * {@code x-scheduled-offset} header names it). Every replica, leader or follower, derives it
 * from what it appends, so a new leader knows exactly what is pending: an old leader's
 * release that never reached it is cut from the old leader's log and released once more by
 * the new one, and what the log holds ends with exactly one released copy. A
 * {@link DelayCheckpoint} saves re-reading the log on open; a cut below it (a follower
 * truncating to its new leader) reads the log again from its start.
 *
 * <p>Memory: two small objects per pending record (a few tens of bytes each).
 */
public final class DelayIndex {
    private record Pending(long deliverAt, long offset) implements Comparable<Pending> {
        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(deliverAt, o.deliverAt);
            return c != 0 ? c : Long.compare(offset, o.offset);
        }
    }

    private static final int SCAN_BYTES = 4 * 1024 * 1024;

    private final DelayCheckpoint checkpoint;
    private final TreeSet<Pending> byTime = new TreeSet<>();
    private final TreeMap<Long, Long> byOffset = new TreeMap<>();
    /** Offsets handed to the timer whose released copies are not in the log yet. */
    private final Set<Long> releasing = new HashSet<>();
    /**
     * Released copies not yet known to be safe (below the high watermark), by their offset, with
     * the offset of their delayed record: retention keeps those records, since a copy lost with
     * an unflushed or unreplicated tail makes its record pending again (found by PowerLossTest).
     */
    private final TreeMap<Long, Long> unsafeReleases = new TreeMap<>();
    private long changes;
    private long checkpointedChanges = -1;

    private DelayIndex(Path dir) {
        this.checkpoint = new DelayCheckpoint(dir);
    }

    /** The index of the log in {@code dir}, as {@code log} holds it now. */
    public static DelayIndex open(Path dir, PartitionLog log) {
        DelayIndex index = new DelayIndex(dir);
        index.rebuild(log);
        return index;
    }

    /** True if any record of {@code batch} is delayed or a released copy: only those batches change the index. */
    public static boolean concerns(RecordBatch batch) {
        ByteBuffer b = batch.buffer();
        int position = RecordBatch.HEADER_SIZE;
        for (int i = 0; i < batch.recordCount(); i++) {
            if (RecordCodec.delayedOrReleasedAt(b, position)) {
                return true;
            }
            position += RecordCodec.sizeAt(b, position);
        }
        return false;
    }

    /** Takes in the records of {@code batch} (offsets assigned) at or after {@code from}. */
    public synchronized void observe(RecordBatch batch, long from) {
        List<ByteBuffer> records = batch.encodedRecords();
        for (int i = 0; i < records.size(); i++) {
            long offset = batch.baseOffset() + i;
            if (offset >= from) {
                observe(records.get(i), offset);
            }
        }
    }

    private void observe(ByteBuffer record, long offset) {
        if (RecordCodec.isReleased(record)) {
            String origin = RecordCodec.decode(record, offset).headers().get(Record.SCHEDULED_OFFSET_HEADER);
            if (origin != null) {
                remove(Long.parseLong(origin));
                unsafeReleases.put(offset, Long.parseLong(origin));
            }
            return;
        }
        long deliverAt = RecordCodec.readDeliverAt(record);
        if (deliverAt != 0 && byOffset.putIfAbsent(offset, deliverAt) == null) {
            byTime.add(new Pending(deliverAt, offset));
            changes++;
        }
    }

    private void remove(long offset) {
        Long deliverAt = byOffset.remove(offset);
        if (deliverAt != null) {
            byTime.remove(new Pending(deliverAt, offset));
            changes++;
        }
        releasing.remove(offset);
    }

    /**
     * Up to {@code max} pending records due at {@code now}, soonest first, that no release is
     * under way for; they count as being released until their copies are observed or
     * {@link #abandon} hands them back.
     */
    public synchronized List<Long> takeDue(long now, int max) {
        List<Long> due = new ArrayList<>();
        for (Pending p : byTime) {
            if (p.deliverAt() > now || due.size() >= max) {
                break;
            }
            if (releasing.add(p.offset())) {
                due.add(p.offset());
            }
        }
        return due;
    }

    /** A release that did not reach the log: its records are pending again. */
    public synchronized void abandon(Collection<Long> offsets) {
        releasing.removeAll(offsets);
    }

    /** Records whose originals are no longer in the log (a cut, or retention): nothing will release them. */
    public synchronized void forget(Collection<Long> offsets) {
        offsets.forEach(this::remove);
    }

    /** When the soonest pending record is due (epoch ms), or {@link Long#MAX_VALUE} when none is pending. */
    public synchronized long nextDue() {
        return byTime.isEmpty() ? Long.MAX_VALUE : byTime.first().deliverAt();
    }

    /** The lowest offset still pending, or {@link Long#MAX_VALUE}. */
    public synchronized long lowestPending() {
        return byOffset.isEmpty() ? Long.MAX_VALUE : byOffset.firstKey();
    }

    /**
     * Where retention must stop: the lowest delayed record still pending, or released by a copy
     * at or above {@code highWatermark} (which a failure could still take away).
     */
    public synchronized long retentionFloor(long highWatermark) {
        unsafeReleases.headMap(highWatermark).clear();
        long floor = lowestPending();
        for (long origin : unsafeReleases.values()) {
            floor = Math.min(floor, origin);
        }
        return floor;
    }

    public synchronized int pending() {
        return byOffset.size();
    }

    /** The pending records by offset, with their due times. */
    public synchronized Map<Long, Long> pendingByOffset() {
        return Map.copyOf(byOffset);
    }

    /**
     * Derives the index from {@code log} again: from the checkpoint where it is usable (taken
     * no further than the log now ends), else from the log's start. After an open or a cut.
     */
    public synchronized void rebuild(PartitionLog log) {
        byTime.clear();
        byOffset.clear();
        releasing.clear();
        unsafeReleases.clear();
        DelayCheckpoint.Snapshot s = checkpoint.read();
        long start = log.startOffset();
        long from = start;
        if (s != null && s.validUpTo() <= log.endOffset()) {
            for (int i = 0; i < s.offsets().length; i++) {
                if (s.offsets()[i] >= start) {
                    byOffset.put(s.offsets()[i], s.deliverAts()[i]);
                    byTime.add(new Pending(s.deliverAts()[i], s.offsets()[i]));
                }
            }
            from = Math.max(start, s.validUpTo());
        }
        scan(log, from);
        changes++;
    }

    /**
     * The log was cut back to {@code offset}: a checkpoint taken past it describes a history the
     * log no longer has (what is appended next differs), so it goes, and the index is derived
     * again.
     */
    public synchronized void truncated(long offset, PartitionLog log) {
        DelayCheckpoint.Snapshot s = checkpoint.read();
        if (s != null && s.validUpTo() > offset) {
            checkpoint.delete();
        }
        rebuild(log);
    }

    /** Takes in what {@code log} holds from {@code from} to its end (records just appended). */
    public synchronized void observeLog(PartitionLog log, long from) {
        scan(log, from);
    }

    private void scan(PartitionLog log, long from) {
        long end = log.endOffset();
        long at = from;
        while (at < end) {
            LogRead r = log.read(at, SCAN_BYTES);
            ByteBuffer bytes;
            try {
                bytes = r.toBuffer();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!bytes.hasRemaining()) {
                break;
            }
            long next = at;
            for (RecordBatch batch : RecordBatch.split(bytes)) {
                observe(batch, at);
                next = Math.max(next, batch.nextOffset());
            }
            if (next <= at) {
                break;
            }
            at = next;
        }
    }

    /**
     * The index as of {@code logEnd} (the caller holds the append lock, so nothing was appended
     * past it), or null when nothing changed since the last checkpoint written.
     */
    public synchronized DelayCheckpoint.Snapshot snapshot(long logEnd) {
        if (changes == checkpointedChanges) {
            return null;
        }
        if (byOffset.isEmpty() && !checkpoint.exists()) {
            checkpointedChanges = changes; // nothing to save, nothing stale to replace
            return null;
        }
        long[] offsets = new long[byOffset.size()];
        long[] deliverAts = new long[byOffset.size()];
        int i = 0;
        for (Map.Entry<Long, Long> e : byOffset.entrySet()) {
            offsets[i] = e.getKey();
            deliverAts[i++] = e.getValue();
        }
        return new DelayCheckpoint.Snapshot(logEnd, offsets, deliverAts, changes);
    }

    /** Writes a snapshot; call once the log is flushed up to its {@code validUpTo}. */
    public void writeCheckpoint(DelayCheckpoint.Snapshot s) {
        if (s == null) {
            return;
        }
        checkpoint.write(s);
        synchronized (this) {
            checkpointedChanges = Math.max(checkpointedChanges, s.changes());
        }
    }
}
