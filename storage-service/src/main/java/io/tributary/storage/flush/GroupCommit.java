package io.tributary.storage.flush;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * Group commit for the {@code sync} flush policy: an append takes a ticket, and its
 * acknowledgment waits until an fsync that started after the append has finished. One fsync
 * runs at a time; every append that arrives while it runs is covered by the next one, so
 * under load one fsync serves many appends, and a lone append still waits for only one.
 */
public final class GroupCommit {
    private final Runnable fsync;
    private final Scheduler disk;
    private final AtomicLong tickets = new AtomicLong();
    private final AtomicLong fsyncs = new AtomicLong();
    private final List<Waiter> waiters = new ArrayList<>();
    private volatile long durable;
    private boolean flushing;

    private record Waiter(long ticket, MonoSink<Void> sink) {
    }

    public GroupCommit(Runnable fsync, Scheduler disk) {
        this.fsync = fsync;
        this.disk = disk;
    }

    /** Called right after an append's bytes were written (under the log's lock): its ticket. */
    public long appended() {
        return tickets.incrementAndGet();
    }

    /** Completes once everything written up to {@code ticket} has been forced to disk. */
    public Mono<Void> awaitDurable(long ticket) {
        return Mono.create(sink -> {
            boolean start;
            synchronized (this) {
                if (ticket <= durable) {
                    sink.success();
                    return;
                }
                waiters.add(new Waiter(ticket, sink));
                start = !flushing;
                flushing = true;
            }
            if (start) {
                disk.schedule(this::flushLoop);
            }
        });
    }

    private void flushLoop() {
        while (true) {
            long target = tickets.get();
            Throwable failure = null;
            try {
                fsync.run();
                fsyncs.incrementAndGet();
            } catch (RuntimeException e) {
                failure = e;
            }
            List<Waiter> done = new ArrayList<>();
            synchronized (this) {
                if (failure == null) {
                    durable = Math.max(durable, target);
                }
                for (var it = waiters.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    if (failure != null || w.ticket() <= target) {
                        done.add(w);
                        it.remove();
                    }
                }
                if (waiters.isEmpty()) {
                    flushing = false;
                }
            }
            for (Waiter w : done) {
                if (failure == null) {
                    w.sink().success();
                } else {
                    w.sink().error(failure);
                }
            }
            synchronized (this) {
                if (!flushing) {
                    return;
                }
            }
        }
    }

    /** How many fsyncs have run (the bench compares it with the number of appends). */
    public long fsyncCount() {
        return fsyncs.get();
    }
}
