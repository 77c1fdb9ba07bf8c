package io.tributary.storage.lease;

import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.lease.RedisLease;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.storage.StorageProperties;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers this storage node in Redis and keeps its lease alive: the key
 * {@code node:<id>} holds {"id","url"} with a TTL and is renewed every ttl/3. The
 * coordinator treats the node as live while the key exists. A restarted node with the same
 * id and URL takes its lease back at once.
 */
@Component
public class NodeLeaseKeeper implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(NodeLeaseKeeper.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final StorageProperties props;
    private final RedisLease lease;
    private ScheduledExecutorService timer;
    private volatile boolean held;

    public NodeLeaseKeeper(StringRedisTemplate redis, RedisKeys keys, StorageProperties props, JsonMapper json) {
        this.redis = redis;
        this.keys = keys;
        this.props = props;
        String value = json.writeValueAsString(new NodeInfo(props.nodeId(), props.advertisedUrl()));
        this.lease = new RedisLease(redis, keys.nodeLease(props.nodeId()), value, props.leaseTtl(), Duration.ofMillis(500));
    }

    public boolean isHeld() {
        return held && lease.isValid();
    }

    void tick() {
        try {
            if (held && lease.renew()) {
                return;
            }
            redis.opsForSet().add(keys.nodes(), props.nodeId());
            boolean was = held;
            held = lease.acquire() != RedisLease.Outcome.HELD_ELSEWHERE;
            if (held && !was) {
                log.info("Node {} registered at {}", props.nodeId(), props.advertisedUrl());
            } else if (!held) {
                log.warn("Node lease {} is held by another process; retrying", lease.key());
            }
        } catch (RuntimeException e) {
            log.warn("Node lease renewal failed: {}", e.toString());
        }
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "node-lease"));
        timer.scheduleWithFixedDelay(this::tick, 0, Math.max(100, props.leaseTtl().toMillis() / 3), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        timer.shutdownNow();
        if (held) {
            held = false;
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
