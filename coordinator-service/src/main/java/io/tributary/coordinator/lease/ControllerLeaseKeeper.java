package io.tributary.coordinator.lease;

import io.tributary.coordinator.CoordinatorProperties;
import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.lease.RedisLease;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Holds the controller lease ({@code SET NX PX}, compare-and-extend) so that exactly one
 * coordinator acts at a time. Each new term takes a fencing epoch from {@code INCR}. On
 * becoming active the coordinator loads the metadata from Redis; if it cannot renew in time
 * it stops acting until it wins the lease again.
 */
@Component
public class ControllerLeaseKeeper implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ControllerLeaseKeeper.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final MetadataStore store;
    private final CoordinatorProperties props;
    private final RedisLease lease;
    private ScheduledExecutorService timer;
    private volatile boolean active;
    private volatile long epoch;

    public ControllerLeaseKeeper(StringRedisTemplate redis, RedisKeys keys, MetadataStore store, CoordinatorProperties props) {
        this.redis = redis;
        this.keys = keys;
        this.store = store;
        this.props = props;
        this.lease = new RedisLease(redis, keys.controllerLease(), props.id(), props.leaseTtl(), Duration.ofMillis(500));
    }

    public boolean isActive() {
        return active && lease.isValid();
    }

    public long epoch() {
        return epoch;
    }

    /** Throws {@code unavailable} unless this coordinator is the active controller. */
    public void requireActive() {
        if (!isActive()) {
            throw TributaryException.unavailable("this coordinator (" + props.id() + ") is not the active controller");
        }
    }

    void tick() {
        try {
            if (active) {
                if (!lease.renew()) {
                    active = false;
                    log.error("Lost the controller lease; standing down");
                }
                return;
            }
            RedisLease.Outcome outcome = lease.acquire();
            if (outcome != RedisLease.Outcome.HELD_ELSEWHERE) {
                Long e = redis.opsForValue().increment(keys.controllerEpoch());
                epoch = e == null ? 0 : e;
                store.load(props.id());
                active = true;
                log.info("Active controller {} (epoch {}, {})", props.id(), epoch, outcome);
            }
        } catch (RuntimeException e) {
            log.warn("Controller lease check failed: {}", e.toString());
            if (active && !lease.isValid()) {
                active = false;
                log.error("Controller lease no longer valid; standing down");
            }
        }
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "controller-lease"));
        long period = Math.max(100, props.leaseTtl().toMillis() / 3);
        timer.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        timer.shutdownNow();
        if (active) {
            active = false;
            try {
                lease.release();
            } catch (RuntimeException e) {
                log.debug("release failed: {}", e.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return timer != null && !timer.isShutdown();
    }
}
