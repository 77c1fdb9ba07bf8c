package io.tributary.storage.replication;

import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A partition's high watermark: the offset below which every record is on every in-sync
 * replica. Consumers see only what is below it, and an {@code acks=all} append is answered
 * once it passes the batch. It only moves forward while this replica's role lasts; a follower
 * takes the leader's (never past its own log end), a leader computes it from its in-sync set.
 * Thread-safe.
 */
public final class HighWatermark {
    private volatile long value;
    private final Sinks.Many<Long> moves = Sinks.many().multicast().directBestEffort();

    public long value() {
        return value;
    }

    /** Moves the high watermark forward to {@code hw}; a smaller value changes nothing. */
    public synchronized void advanceTo(long hw) {
        if (hw > value) {
            value = hw;
            moves.tryEmitNext(hw);
        }
    }

    /** Sets it outright (a follower cut back its log, or a partition reopened). */
    public synchronized void reset(long hw) {
        value = hw;
        moves.tryEmitNext(hw);
    }

    /** Completes once the high watermark is past {@code offset} (true), or after {@code wait} (false). */
    public Mono<Boolean> awaitPast(long offset, Duration wait) {
        if (value > offset) {
            return Mono.just(true);
        }
        return Flux.merge(moves.asFlux(), Mono.fromSupplier(() -> value))
                .filter(hw -> hw > offset)
                .next()
                .map(hw -> true)
                .timeout(wait, Mono.just(false));
    }

    public void close() {
        moves.tryEmitComplete();
    }
}
