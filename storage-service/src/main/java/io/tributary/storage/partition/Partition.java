package io.tributary.storage.partition;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.storage.cursor.CursorStore;
import io.tributary.storage.dedup.DedupWindow;
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
    private final PartitionId id;
    private final PartitionLog log;
    private final CursorStore cursors;
    private final DedupWindow dedup;
    private final GroupCommit commits;
    /** New log end offsets, for waiting fetches; emitted under the append lock. */
    private final Sinks.Many<Long> appended = Sinks.many().multicast().directBestEffort();

    public Partition(PartitionId id, Path dir, PartitionSettings settings) {
        this.id = id;
        this.log = PartitionLog.open(dir, settings.segments(), settings.files());
        this.cursors = CursorStore.open(dir, settings.files());
        this.dedup = new DedupWindow(settings.dedupWindowMs(), settings.dedupMaxEntries());
        this.commits = new GroupCommit(log::flush, settings.disk());
        rebuildDedupWindow();
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
     * Appends a batch (idempotently: records whose id was stored within the window are not
     * stored again, and answer with their original offsets). With {@code sync}, completes
     * only after an fsync covering the batch.
     */
    public Mono<AppendResult> append(ByteBuffer batchBytes, int leaderEpoch, boolean sync) {
        AppendResult result;
        long ticket;
        synchronized (this) {
            result = appendOnce(PartitionLog.validate(batchBytes), leaderEpoch);
            ticket = commits.appended();
            appended.tryEmitNext(log.endOffset());
        }
        return sync ? commits.awaitDurable(ticket).thenReturn(result) : Mono.just(result);
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
            RecordBatchBuilder b = new RecordBatchBuilder();
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

    /** After a restart: remember the ids stored within the window, read back from the log's tail. */
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
