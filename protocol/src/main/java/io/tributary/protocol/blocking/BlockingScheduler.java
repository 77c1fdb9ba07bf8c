package io.tributary.protocol.blocking;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where every blocking call of a service runs (file I/O on a storage node, Redis calls
 * through the blocking Lettuce template in the coordinator and routing): a bounded pool
 * whose tasks are never interrupted.
 *
 * <p>Why not {@code Schedulers.boundedElastic()}: Reactor's elastic schedulers interrupt a
 * running task when its subscriber cancels (a client hanging up, a timeout upstream). An
 * interrupt during {@code FileChannel} I/O closes the channel for good
 * (ClosedByInterruptException), and an interrupt during a blocking Lettuce call throws
 * {@code RedisCommandInterruptedException}, which surfaced as a 500 on a consumer heartbeat.
 * Here the pool is handed to Reactor as a plain {@link Executor}, so a cancelled subscriber
 * only drops the result; the call itself always completes (or fails on its own).
 */
public final class BlockingScheduler implements Scheduler {
    private final ThreadPoolExecutor pool;
    private final Scheduler delegate;

    public BlockingScheduler(int threads, int queue, String name) {
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
