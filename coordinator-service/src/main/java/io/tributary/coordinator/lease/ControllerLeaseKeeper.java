package io.tributary.coordinator.lease;

import io.tributary.coordinator.CoordinatorProperties;
import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.lease.LeaseKeeper;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.lease.RedisLease;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Holds the controller lease so that exactly one coordinator acts at a time. Each new term
 * takes a fencing epoch from {@code INCR controller:epoch}. On becoming active the
 * coordinator loads the metadata from Redis; when the lease is lost it stops acting until it
 * wins the lease again.
 */
@Component
public class ControllerLeaseKeeper implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ControllerLeaseKeeper.class);

    private final CoordinatorProperties props;
    private final LeaseKeeper keeper;
    private volatile long epoch;

    public ControllerLeaseKeeper(StringRedisTemplate redis, RedisKeys keys, MetadataStore store, CoordinatorProperties props) {
        this.props = props;
        RedisLease lease = new RedisLease(redis, keys.controllerLease(), props.id(), props.leaseTtl(), Duration.ofMillis(500));
        this.keeper = new LeaseKeeper("controller-lease", lease, props.leaseTtl().toMillis(), new LeaseKeeper.Holder() {
            @Override
            public void acquired(RedisLease.Outcome outcome) {
                Long e = redis.opsForValue().increment(keys.controllerEpoch());
                epoch = e == null ? 0 : e;
                store.load(props.id(), epoch);
                log.info("Active controller {} (epoch {}, {})", props.id(), epoch, outcome);
            }

            @Override
            public void lost() {
                log.error("Controller {} standing down", props.id());
                store.unload();
            }
        });
    }

    public boolean isActive() {
        return keeper.isHeld();
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

    @Override
    public void start() {
        keeper.start();
    }

    @Override
    public void stop() {
        keeper.stop();
    }

    @Override
    public boolean isRunning() {
        return keeper.isRunning();
    }
}
