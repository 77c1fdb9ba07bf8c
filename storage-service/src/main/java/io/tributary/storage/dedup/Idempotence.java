package io.tributary.storage.dedup;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.storage.log.AppendResult;
import io.tributary.storage.log.LogRead;
import io.tributary.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Idempotent appends to one partition's log: what {@link ProducerSequences} (a batch sent
 * again) and {@link DedupWindow} (a message id stored before) decide, applied. A batch whose
 * producer sequence was stored already is answered with its original offsets, one out of
 * sequence is refused whole, and records whose message id was stored within the window are
 * not stored again (they answer with their original offsets).
 *
 * <p>Every replica keeps this state (a follower {@link #observe}s what it copies), so a new
 * leader recognises retries of what the old one stored. Not thread-safe: used under the
 * partition's append lock.
 */
public final class Idempotence {
    private final DedupWindow dedup;
    private final ProducerSequences sequences;

    public Idempotence(long windowMs, int maxIds, int maxProducers) {
        this.dedup = new DedupWindow(windowMs, maxIds);
        this.sequences = new ProducerSequences(windowMs, maxProducers);
    }

    /** Appends {@code batch} to {@code log} in {@code leaderEpoch} unless it, or some of its records, were stored before. */
    public AppendResult append(PartitionLog log, RecordBatch batch, int leaderEpoch) {
        long producer = batch.producerId();
        int sequence = batch.baseSequence();
        long now = System.currentTimeMillis();
        ProducerSequences.Verdict verdict = sequences.check(producer, sequence, now);
        if (verdict instanceof ProducerSequences.OutOfOrder o) {
            throw new TributaryException(ProblemType.OUT_OF_ORDER_SEQUENCE, "batch " + sequence + " of producer " + producer
                    + " is out of order: the next one expected is " + o.expected() + "; nothing was stored", null, null);
        }
        if (verdict instanceof ProducerSequences.Duplicate d) {
            return repeated(log, batch, d.original());
        }
        AppendResult result = appendOnce(log, batch, leaderEpoch);
        sequences.record(producer, new ProducerSequences.Stored(sequence, batch.recordCount(), result.baseOffset(),
                result.lastOffset(), result.offsets()), now);
        return result;
    }

    /** Remembers the ids and producer sequence of a batch stored by someone else (a follower copying its leader). */
    public void observe(RecordBatch batch) {
        for (Record rec : batch.records()) {
            if (rec.id() != null) {
                dedup.record(rec.id(), rec.offset(), rec.timestamp());
            }
        }
        sequences.record(batch.producerId(), new ProducerSequences.Stored(batch.baseSequence(), batch.recordCount(),
                batch.baseOffset(), batch.lastOffset(), null), batch.maxTimestamp());
    }

    /**
     * The answer to a batch sent again: its original offsets. Remembered exactly since this
     * process stored it; rebuilt from the log after a restart, where a batch that had some
     * records skipped as message-id repeats holds only the others, in order: each record then
     * gets its id's offset if it was such a repeat, else the next offset of the stored batch.
     */
    private AppendResult repeated(PartitionLog log, RecordBatch batch, ProducerSequences.Stored original) {
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

    private AppendResult appendOnce(PartitionLog log, RecordBatch batch, int leaderEpoch) {
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
     * Forgets everything and remembers again the ids and producer sequences stored within the
     * window, read back from the log's tail: after a restart, or after a follower cut its log.
     */
    public void rebuild(PartitionLog log) {
        dedup.clear();
        sequences.clear();
        long from = log.offsetForTimestamp(System.currentTimeMillis() - dedup.windowMs());
        long end = log.endOffset();
        while (from < end) {
            LogRead r = log.read(from, 4 * 1024 * 1024);
            ByteBuffer bytes = r.isFileRegion() ? readRegion(r) : r.bytes();
            if (!bytes.hasRemaining()) {
                break;
            }
            for (RecordBatch batch : RecordBatch.split(bytes)) {
                if (batch.baseOffset() >= from) {
                    observe(batch);
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

}
