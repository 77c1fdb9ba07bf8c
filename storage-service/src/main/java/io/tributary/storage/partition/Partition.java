package io.tributary.storage.partition;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.storage.cursor.CursorStore;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.storage.dedup.DedupWindow;
import io.tributary.storage.dedup.ProducerSequences;
import io.tributary.storage.flush.GroupCommit;
import io.tributary.storage.log.AppendResult;
import io.tributary.storage.log.LogRead;
import io.tributary.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One partition hosted on this node: its log, its consumer cursors, idempotent publish (a
 * window of recent message ids), group commit for the {@code sync} flush policy, and the
 * long-poll fetches waiting for the log to grow. Blocking methods run on the disk scheduler.
 */
public final class Partition implements AutoCloseable {
    /** Producers whose sequences a partition remembers; each routing instance is one or a few. */
    static final int MAX_PRODUCERS = 1000;
    private final PartitionId id;
    private final PartitionLog log;
    private final CursorStore cursors;
    private final DedupWindow dedup;
    private final ProducerSequences sequences;
    private final GroupCommit commits;
    /** New log end offsets, for waiting fetches; emitted under the append lock. */
    private final Sinks.Many<Long> appended = Sinks.many().multicast().directBestEffort();

    public Partition(PartitionId id, Path dir, PartitionSettings settings) {
        this.id = id;
        this.log = PartitionLog.open(dir, settings.segments(), settings.files());
        this.cursors = CursorStore.open(dir, settings.files());
        this.dedup = new DedupWindow(settings.dedupWindowMs(), settings.dedupMaxEntries());
        this.sequences = new ProducerSequences(settings.dedupWindowMs(), MAX_PRODUCERS);
        this.commits = new GroupCommit(log::flush, settings.disk());
        rebuildDedupWindow();
        clampCursorsToLogEnd();
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

    public GroupCommit commits() {
        return commits;
    }

    /**
     * Appends a batch idempotently: a batch whose producer sequence was stored already is
     * answered with its original offsets (see {@link ProducerSequences}), one out of sequence
     * is refused whole, and records whose message id was stored within the window are not
     * stored again (they answer with their original offsets). With {@code sync}, completes
     * only after an fsync covering the batch (or, for a repeat, its original).
     */
    public Mono<AppendResult> append(ByteBuffer batchBytes, int leaderEpoch, boolean sync) {
        AppendResult result;
        long ticket;
        synchronized (this) {
            RecordBatch batch = PartitionLog.validate(batchBytes);
            long producer = batch.producerId();
            int sequence = batch.baseSequence();
            long now = System.currentTimeMillis();
            ProducerSequences.Verdict verdict = sequences.check(producer, sequence, now);
            if (verdict instanceof ProducerSequences.OutOfOrder o) {
                throw new TributaryException(ProblemType.OUT_OF_ORDER_SEQUENCE, "batch " + sequence + " of producer " + producer
                        + " is out of order: the next one expected is " + o.expected() + "; nothing was stored", null, null);
            }
            if (verdict instanceof ProducerSequences.Duplicate d) {
                result = repeated(batch, d.original());
            } else {
                result = appendOnce(batch, leaderEpoch);
                sequences.record(producer, new ProducerSequences.Stored(sequence, batch.recordCount(), result.baseOffset(),
                        result.lastOffset(), result.offsets()), now);
            }
            ticket = commits.appended();
            appended.tryEmitNext(log.endOffset());
        }
        return sync ? commits.awaitDurable(ticket).thenReturn(result) : Mono.just(result);
    }

    /**
     * The answer to a batch sent again: its original offsets. Remembered exactly since this
     * process stored it; rebuilt from the log after a restart, where a batch that had some
     * records skipped as message-id repeats holds only the others, in order: each record then
     * gets its id's offset if it was such a repeat, else the next offset of the stored batch.
     */
    private AppendResult repeated(RecordBatch batch, ProducerSequences.Stored original) {
        long end = log.endOffset();
        if (original.offsets() != null) {
            return new AppendResult(original.baseOffset(), original.lastOffset(), end, original.offsets());
        }
        if (original.recordCount() == batch.recordCount()) {
            return new AppendResult(original.baseOffset(), original.lastOffset(), end);
        }
        long now = System.currentTimeMillis();
        List<Long> offsets = new ArrayList<>(batch.recordCount());
        Map<String, Long> inBatch = new HashMap<>();
        long next = original.baseOffset();
        for (ByteBuffer r : records(batch)) {
            String id = RecordCodec.readId(r);
            Long earlier = id == null ? null : inBatch.get(id);
            Long prior = id == null ? null : dedup.lookup(id, now);
            long offset;
            if (earlier != null) {
                offset = earlier;
            } else if (prior != null && (prior < original.baseOffset() || prior > original.lastOffset())) {
                offset = prior;
            } else {
                offset = next++;
            }
            if (id != null) {
                inBatch.putIfAbsent(id, offset);
            }
            offsets.add(offset);
        }
        return new AppendResult(original.baseOffset(), original.lastOffset(), end, offsets);
    }

    private AppendResult appendOnce(RecordBatch batch, int leaderEpoch) {
        List<ByteBuffer> records = records(batch);
        String[] ids = new String[records.size()];
        boolean anyId = false;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = RecordCodec.readId(records.get(i));
            anyId |= ids[i] != null;
        }
        if (!anyId) {
            return log.append(batch, leaderEpoch);
        }
        long now = System.currentTimeMillis();
        long[] offsets = new long[ids.length];
        int[] sameAs = new int[ids.length];
        Map<String, Integer> firstInBatch = new HashMap<>();
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            sameAs[i] = -1;
            Long prior = ids[i] == null ? null : dedup.lookup(ids[i], now);
            Integer earlier = ids[i] == null ? null : firstInBatch.get(ids[i]);
            if (prior != null) {
                offsets[i] = prior;
            } else if (earlier != null) {
                sameAs[i] = earlier;
            } else {
                fresh.add(i);
                if (ids[i] != null) {
                    firstInBatch.put(ids[i], i);
                }
            }
        }
        AppendResult stored;
        if (fresh.size() == ids.length) {
            stored = log.append(batch, leaderEpoch);
        } else if (fresh.isEmpty()) {
            stored = new AppendResult(log.endOffset(), -1, log.endOffset());
        } else {
            RecordBatchBuilder b = new RecordBatchBuilder().producer(batch.producerId(), batch.baseSequence());
            fresh.forEach(i -> b.add(records.get(i)));
            stored = log.append(PartitionLog.validate(b.build()), leaderEpoch);
        }
        for (int j = 0; j < fresh.size(); j++) {
            int i = fresh.get(j);
            offsets[i] = stored.baseOffset() + j;
            if (ids[i] != null) {
                dedup.record(ids[i], offsets[i], RecordCodec.readTimestamp(records.get(i)));
            }
        }
        List<Long> all = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            all.add(sameAs[i] >= 0 ? offsets[sameAs[i]] : offsets[i]);
        }
        if (fresh.size() == ids.length) {
            return stored; // nothing was a retry: offsets are the plain range
        }
        return new AppendResult(stored.baseOffset(), stored.lastOffset(), stored.logEndOffset(), all);
    }

    private static List<ByteBuffer> records(RecordBatch batch) {
        ByteBuffer b = batch.buffer();
        List<ByteBuffer> list = new ArrayList<>(batch.recordCount());
        int pos = RecordBatch.HEADER_SIZE;
        for (int i = 0; i < batch.recordCount(); i++) {
            int size = RecordCodec.sizeAt(b, pos);
            list.add(b.slice(pos, size));
            pos += size;
        }
        return list;
    }

    /**
     * After an unclean stop the log may have lost an unsynced tail that a flushed cursor had
     * passed: such a cursor is moved back to the log end, so the consumer reads the messages
     * appended there next instead of skipping them.
     */
    private void clampCursorsToLogEnd() {
        long end = log.endOffset();
        cursors.all().forEach((sub, offset) -> {
            if (offset > end) {
                cursors.seek(sub, end);
            }
        });
    }

    /** After a restart: remember the ids and producer sequences stored within the window, read back from the log's tail. */
    private void rebuildDedupWindow() {
        long from = log.offsetForTimestamp(System.currentTimeMillis() - dedup.windowMs());
        long end = log.endOffset();
        while (from < end) {
            LogRead r = log.read(from, 4 * 1024 * 1024);
            ByteBuffer bytes = r.isFileRegion() ? readRegion(r) : r.bytes();
            if (!bytes.hasRemaining()) {
                break;
            }
            for (RecordBatch batch : RecordBatch.split(bytes)) {
                for (Record rec : batch.records()) {
                    if (rec.offset() >= from && rec.id() != null) {
                        dedup.record(rec.id(), rec.offset(), rec.timestamp());
                    }
                }
                if (batch.baseOffset() >= from) {
                    sequences.record(batch.producerId(), new ProducerSequences.Stored(batch.baseSequence(), batch.recordCount(),
                            batch.baseOffset(), batch.lastOffset(), null), batch.maxTimestamp());
                }
                from = Math.max(from, batch.nextOffset());
            }
        }
    }

    private static ByteBuffer readRegion(LogRead r) {
        try (var ch = java.nio.channels.FileChannel.open(r.file())) {
            ByteBuffer b = ByteBuffer.allocate(r.length());
            long at = r.position();
            while (b.hasRemaining()) {
                int n = ch.read(b, at);
                if (n < 0) {
                    break;
                }
                at += n;
            }
            return b.flip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public LogRead read(long offset, int maxBytes) {
        return log.read(offset, maxBytes);
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

    public void flush() {
        log.flush();
        cursors.flush();
    }

    @Override
    public void close() {
        appended.tryEmitComplete();
        log.close();
        cursors.close();
    }
}
