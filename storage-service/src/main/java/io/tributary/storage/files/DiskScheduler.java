package io.tributary.storage.files;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where every blocking file operation of a storage node runs: a bounded pool whose tasks are
 * never interrupted. Reactor's own elastic schedulers interrupt a running task when its
 * subscriber cancels (a client hanging up mid-append), and an interrupt during
 * {@code FileChannel} I/O closes the channel for good (ClosedByInterruptException), which
 * would break the partition for every later request. Here the pool is handed to Reactor as a
 * plain {@link Executor}, so a cancelled subscriber only drops the result; the write itself
 * always completes (or fails on its own and is undone).
 */
public final class DiskScheduler implements Scheduler {
    private final ThreadPoolExecutor pool;
    private final Scheduler delegate;

    public DiskScheduler(int threads, int queue, String name) {
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        Executor executor = pool::execute; // not an ExecutorService: Reactor gets no Future to cancel(true)
        this.delegate = Schedulers.fromExecutor(executor);
    }

    @Override
    public Disposable schedule(Runnable task) {
        return delegate.schedule(task);
    }

    @Override
    public Worker createWorker() {
        return delegate.createWorker();
    }

    @Override
    public void dispose() {
        delegate.dispose();
        pool.shutdown();
    }

    @Override
    public boolean isDisposed() {
        return pool.isShutdown();
    }
}
