package io.tributary.protocol.lease;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link RedisLease}: tries to acquire it until it holds it, then renews it every
 * ttl/3 on its own thread (Redis calls block). When a renewal fails, or the lease outlives
 * its local validity because Redis does not answer, the holder is told it lost the lease,
 * and acquisition starts over.
 */
public final class LeaseKeeper {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    /** What the holder does as the lease comes and goes. */
    public interface Holder {
        /** Runs on the keeper's thread right after acquiring; if it throws, the lease counts as not held. */
        void acquired(RedisLease.Outcome outcome);

        void lost();
    }

    private final RedisLease lease;
    private final Holder holder;
    private final String name;
    private final long periodMs;
    private ScheduledExecutorService timer;
    private volatile boolean held;

    public LeaseKeeper(String name, RedisLease lease, long ttlMs, Holder holder) {
        this.name = name;
        this.lease = lease;
        this.holder = holder;
        this.periodMs = Math.max(100, ttlMs / 3);
    }

    /** Held, and still inside the validity window measured from the last successful renewal. */
    public boolean isHeld() {
        return held && lease.isValid();
    }

    void tick() {
        try {
            if (held) {
                if (!lease.renew()) {
                    lose("renewal refused: the lease lapsed or was taken");
                }
                return;
            }
            RedisLease.Outcome outcome = lease.acquire();
            if (outcome != RedisLease.Outcome.HELD_ELSEWHERE) {
                holder.acquired(outcome);
                held = true;
            }
        } catch (RuntimeException e) {
            log.warn("{}: lease check failed: {}", name, e.toString());
            if (held && !lease.isValid()) {
                lose("no renewal within the lease's validity");
            }
        }
    }

    private void lose(String why) {
        held = false;
        log.error("{}: lost the lease ({})", name, why);
        holder.lost();
    }

    public synchronized void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, name));
        timer.scheduleWithFixedDelay(this::tick, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Stops renewing and releases the lease if it is held, so a successor need not wait for it to expire. */
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (held) {
            held = false;
            try {
                lease.release();
            } catch (RuntimeException e) {
                log.debug("{}: release failed: {}", name, e.toString());
            }
        }
    }

    public boolean isRunning() {
        return timer != null && !timer.isShutdown();
    }
}
