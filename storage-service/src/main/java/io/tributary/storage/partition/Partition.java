package io.tributary.storage.partition;

import io.tributary.storage.cursor.CursorStore;
import io.tributary.storage.log.AppendResult;
import io.tributary.storage.log.FetchResult;
import io.tributary.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One partition hosted on this node: its log, its consumer cursors, and the long-poll
 * fetches waiting for the log to grow. Every blocking method must run on the disk scheduler.
 */
public final class Partition implements AutoCloseable {
    private final PartitionId id;
    private final PartitionLog log;
    private final CursorStore cursors;
    /** New log end offsets, for waiting fetches; emitted under the log's append lock. */
    private final Sinks.Many<Long> appended = Sinks.many().multicast().directBestEffort();

    Partition(PartitionId id, Path dir) {
        this.id = id;
        this.log = PartitionLog.open(dir);
        this.cursors = CursorStore.open(dir);
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

    public AppendResult append(ByteBuffer batch, int leaderEpoch) {
        synchronized (this) {
            AppendResult r = log.append(batch, leaderEpoch);
            appended.tryEmitNext(r.logEndOffset());
            return r;
        }
    }

    public FetchResult read(long offset, int maxBytes) {
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
