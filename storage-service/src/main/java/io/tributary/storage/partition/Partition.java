package io.tributary.storage.partition;

import io.tributary.protocol.record.RecordBatch;
import io.tributary.storage.cursor.CursorStore;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.storage.dedup.Idempotence;
import io.tributary.storage.delay.DelayCheckpoint;
import io.tributary.storage.delay.DelayIndex;
import io.tributary.storage.flush.GroupCommit;
import io.tributary.storage.log.AppendResult;
import io.tributary.storage.log.LogRead;
import io.tributary.storage.log.PartitionLog;
import io.tributary.storage.replication.HighWatermark;
import io.tributary.storage.replication.HighWatermarkCheckpoint;
import io.tributary.storage.replication.LeaderEpochCache;
import io.tributary.storage.replication.ReplicaTracker;
import io.tributary.storage.shared.SharedStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One replica of a partition hosted on this node: its log, its consumer cursors, idempotent
 * publish, group commit for the {@code sync} flush policy, the leader-epoch cache and the
 * high watermark; while it leads, what its followers have ({@link ReplicaTracker}); and the
 * long-poll fetches waiting for the log, or the high watermark, to move. Blocking methods run
 * on the disk scheduler.
 */
public final class Partition implements AutoCloseable {
    /** Producers whose sequences a partition remembers; each routing instance is one or a few. */
    static final int MAX_PRODUCERS = 1000;
    private final PartitionId id;
    private final PartitionLog log;
    private final CursorStore cursors;
    private final SharedStore shared;
    private final DelayIndex delays;
    private final Idempotence idempotence;
    private final GroupCommit commits;
    /** New log end offsets, for waiting fetches; emitted under the append lock. */
    private final Sinks.Many<Long> appended = Sinks.many().multicast().directBestEffort();
    /** Changes of the consumer state, to wake a follower's waiting fetch so it copies them. */
    private final Sinks.Many<Long> consumerStateChanges = Sinks.many().multicast().directBestEffort();
    private final LeaderEpochCache epochs;
    private final HighWatermark highWatermark = new HighWatermark();
    private final HighWatermarkCheckpoint checkpoint;
    /** What the followers have, while this replica leads (null otherwise). */
    private volatile ReplicaTracker tracker;

    public Partition(PartitionId id, Path dir, PartitionSettings settings) {
        this.id = id;
        this.log = PartitionLog.open(dir, settings.segments(), settings.files());
        this.cursors = CursorStore.open(dir, settings.files());
        this.shared = SharedStore.open(dir, settings.files());
        this.delays = DelayIndex.open(dir, log);
        this.epochs = LeaderEpochCache.open(dir);
        this.idempotence = new Idempotence(settings.dedupWindowMs(), settings.dedupMaxEntries(), MAX_PRODUCERS);
        this.commits = new GroupCommit(log::flush, settings.disk());
        idempotence.rebuild(log);
        clampCursorsToLogEnd();
        this.checkpoint = new HighWatermarkCheckpoint(dir);
        highWatermark.reset(checkpoint.read(log.endOffset()));
    }

    public PartitionId id() {
        return id;
    }

    public PartitionLog log() {
        return log;
    }

    public CursorStore cursors() {
        return cursors;
    }

    /** The ack state of the shared subscriptions reading this partition. */
    public SharedStore shared() {
        return shared;
    }

    /** The delayed records waiting for their time (every replica keeps it; the leader releases them). */
    public DelayIndex delays() {
        return delays;
    }

    /**
     * Counts changes of the cursors and the shared ack state since open: a follower copies
     * both when the leader's count differs from the one it copied.
     */
    public long consumerStateVersion() {
        return cursors.version() + shared.version();
    }

    /** The cursors or the shared ack state changed: followers waiting in a fetch are woken to copy them. */
    public void consumerStateChanged() {
        synchronized (consumerStateChanges) {
            consumerStateChanges.tryEmitNext(consumerStateVersion());
        }
    }

    public GroupCommit commits() {
        return commits;
    }

    public HighWatermark highWatermark() {
        return highWatermark;
    }

    public synchronized int latestEpoch() {
        return epochs.latestEpoch();
    }

    /** Where {@code epoch} ends in this log (a follower asking before it follows this leader). */
    public synchronized LeaderEpochCache.EpochEnd endOffsetFor(int epoch) {
        return epochs.endOffsetFor(epoch, log.endOffset());
    }

    // ---- leading --------------------------------------------------------------------------

    /**
     * This replica leads in {@code epoch}, with {@code isr} in sync: starts the epoch in the
     * epoch cache (at the log end, where its writes will begin), starts tracking followers
     * afresh if the epoch is new, and brings the high watermark up to what the in-sync set
     * supports. Called on every request a leader serves; cheap when nothing changed.
     */
    public ReplicaTracker lead(String self, int epoch, List<String> isr, int minInSync) {
        ReplicaTracker t = tracker;
        if (t == null || t.epoch() != epoch) {
            synchronized (this) {
                t = tracker;
                if (t == null || t.epoch() != epoch) {
                    epochs.assign(epoch, log.endOffset());
                    t = new ReplicaTracker(epoch, System.currentTimeMillis(), epochStart(epoch));
                    tracker = t;
                }
            }
        }
        long hw = t.highWatermark(self, isr, log.endOffset(), minInSync);
        if (hw >= 0) {
            highWatermark.advanceTo(hw);
        }
        return t;
    }

    /** Where {@code epoch} began in this log (its cache entry), or the log end if the cache has none for it. */
    private long epochStart(int epoch) {
        long start = log.endOffset();
        for (LeaderEpochCache.Entry e : epochs.entries()) {
            if (e.epoch() == epoch) {
                start = e.startOffset();
            }
        }
        return start;
    }

    /** This replica no longer leads: it forgets its followers. */
    public void stopLeading() {
        tracker = null;
    }

    /** The tracker of the epoch this replica leads in, or null. */
    public ReplicaTracker tracker() {
        return tracker;
    }

    // ---- following ------------------------------------------------------------------------

    /**
     * Appends batches copied from the leader, byte for byte (their offsets and epochs were
     * assigned there), recording a new epoch where its first batch starts and remembering
     * their ids and producer sequences (for when this replica leads). With {@code sync},
     * completes after an fsync covering them.
     */
    public Mono<Void> appendReplicated(ByteBuffer bytes, boolean sync) {
        long ticket;
        synchronized (this) {
            for (RecordBatch batch : RecordBatch.split(bytes)) {
                try {
                    batch.validate();
                } catch (io.tributary.protocol.record.CorruptRecordException e) {
                    throw TributaryException.malformed("a replicated batch does not check: " + e.getMessage());
                }
                if (batch.leaderEpoch() > epochs.latestEpoch()) {
                    epochs.assign(batch.leaderEpoch(), batch.baseOffset());
                }
                log.appendReplicated(batch);
                idempotence.observe(batch);
                if (DelayIndex.concerns(batch)) {
                    delays.observe(batch, batch.baseOffset());
                }
            }
            ticket = commits.appended();
            appended.tryEmitNext(log.endOffset());
        }
        return sync ? commits.awaitDurable(ticket) : Mono.empty();
    }

    /**
     * Cuts this replica back to where it stops agreeing with its leader, given the leader's
     * answer for this replica's latest epoch (KIP-101): the leader's end of that epoch. When the
     * leader answered for an older epoch than the one asked (it never saw ours), the cut goes
     * no further than where that older epoch ends here as well: what this replica has past it
     * came from an epoch the leader does not know, even below the leader's end (KIP-279).
     * Returns the offset the log now ends at.
     */
    public synchronized long truncateToLeader(LeaderEpochCache.EpochEnd leaders) {
        long cut = leaders.endOffset();
        if (leaders.epoch() < epochs.latestEpoch()) {
            cut = Math.min(cut, epochs.endOffsetFor(leaders.epoch(), log.endOffset()).endOffset());
        }
        truncateTo(cut);
        return log.endOffset();
    }

    /** Cuts this replica's log back to {@code offset} (it has what the new leader does not). */
    public synchronized void truncateTo(long offset) {
        if (offset >= log.endOffset()) {
            return;
        }
        log.truncateTo(offset);
        epochs.truncateFromEnd(offset);
        idempotence.rebuild(log);
        delays.truncated(offset, log);
        if (highWatermark.value() > offset) {
            highWatermark.reset(offset);
        }
    }

    /**
     * This replica's log ends before its leader's log starts (a new replica, after the leader's
     * retention deleted the head): it drops what it has and starts empty at {@code leaderStart}.
     */
    public synchronized void restartAt(long leaderStart) {
        log.restartAt(leaderStart);
        epochs.clear();
        idempotence.rebuild(log);
        delays.truncated(0, log);
        highWatermark.reset(leaderStart);
    }

    /** A follower takes the leader's high watermark, never past its own log end. */
    public void followHighWatermark(long leaderHighWatermark) {
        highWatermark.advanceTo(Math.min(leaderHighWatermark, log.endOffset()));
    }

    /**
     * Appends a batch idempotently (see {@link Idempotence}). With {@code sync}, completes
     * only after an fsync covering the batch (or, for a repeat, its original).
     */
    public Mono<AppendResult> append(ByteBuffer batchBytes, int leaderEpoch, boolean sync) {
        AppendResult result;
        long ticket;
        synchronized (this) {
            RecordBatch batch = PartitionLog.validate(batchBytes);
            long endBefore = log.endOffset();
            boolean delayed = DelayIndex.concerns(batch);
            result = idempotence.append(log, batch, leaderEpoch);
            if (delayed) {
                observeDelays(batch, endBefore);
            }
            ticket = commits.appended();
            appended.tryEmitNext(log.endOffset());
        }
        return sync ? commits.awaitDurable(ticket).thenReturn(result) : Mono.just(result);
    }

    /**
     * Takes an append's delayed records and releases into the delay index. Mostly the batch was
     * stored whole, as sent (its view now carries its offsets); when retries by id made it store
     * fewer records, what is new is read back; a whole repeat stored nothing.
     */
    private void observeDelays(RecordBatch batch, long endBefore) {
        long stored = log.endOffset() - endBefore;
        if (stored == batch.recordCount() && batch.baseOffset() == endBefore) {
            delays.observe(batch, endBefore);
        } else if (stored > 0) {
            delays.observeLog(log, endBefore);
        }
    }

    /**
     * After an unclean stop the log may have lost an unsynced tail that a flushed cursor had
     * passed: such a cursor is moved back to the log end, so the consumer reads the messages
     * appended there next instead of skipping them. The move is fsynced at once: otherwise a
     * second crash could bring back the old position from the cursor file, past messages
     * appended after the first crash (found by PowerLossTest).
     */
    private void clampCursorsToLogEnd() {
        long end = log.endOffset();
        boolean moved = false;
        for (Map.Entry<String, Long> c : cursors.all().entrySet()) {
            if (c.getValue() > end) {
                cursors.seek(c.getKey(), end);
                moved = true;
            }
        }
        moved |= shared.clampTo(end);
        if (moved) {
            cursors.flush();
            shared.flush();
        }
    }

    /** Whole batches from {@code offset}, all of the log (a follower copying it). */
    public LogRead read(long offset, int maxBytes) {
        return log.read(offset, maxBytes);
    }

    /** Whole batches from {@code offset} below the high watermark: what consumers may see. */
    public LogRead readVisible(long offset, int maxBytes) {
        return log.read(offset, maxBytes, highWatermark.value());
    }

    /**
     * Completes when the log ends past {@code offset} or when {@code wait} passes, whichever
     * comes first. Subscribes to appends before looking at the end, so an append in between is
     * not missed.
     */
    public Mono<Void> awaitDataAfter(long offset, Duration wait) {
        if (wait.isZero() || log.endOffset() > offset) {
            return Mono.empty();
        }
        return Flux.merge(appended.asFlux(), Mono.fromSupplier(log::endOffset))
                .filter(end -> end > offset)
                .next()
                .timeout(wait, Mono.empty())
                .then();
    }

    /**
     * As {@link #awaitDataAfter}, and also completes when the consumer state's version differs
     * from {@code copiedStateVersion}, the one the waiting follower holds (so it copies it now).
     */
    public Mono<Void> awaitDataOrStateAfter(long offset, long copiedStateVersion, Duration wait) {
        if (consumerStateVersion() != copiedStateVersion) {
            return Mono.empty();
        }
        Mono<Void> state = Flux.merge(consumerStateChanges.asFlux(), Mono.fromSupplier(this::consumerStateVersion))
                .filter(v -> v != copiedStateVersion)
                .next()
                .then();
        return Mono.firstWithSignal(awaitDataAfter(offset, wait), state).timeout(wait, Mono.empty());
    }

    public void flush() {
        flushLogAndDelays();
        cursors.flush();
        shared.flush();
        checkpoint.write(highWatermark.value());
    }

    /**
     * fsyncs the log, then checkpoints the delay index as of the log end it had before: the
     * checkpoint never describes records the disk may not have.
     */
    private void flushLogAndDelays() {
        DelayCheckpoint.Snapshot delaySnapshot;
        synchronized (this) {
            delaySnapshot = delays.snapshot(log.endOffset());
        }
        log.flush();
        delays.writeCheckpoint(delaySnapshot);
    }

    @Override
    public void close() {
        appended.tryEmitComplete();
        checkpoint.write(highWatermark.value());
        flushLogAndDelays();
        highWatermark.close();
        log.close();
        cursors.close();
        shared.close();
    }
}
