package io.tributary.storage.lease;

import io.tributary.protocol.lease.LeaseKeeper;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.lease.RedisLease;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.storage.StorageProperties;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers this storage node in Redis and keeps its lease alive: the key
 * {@code node:<id>} holds {"id","url"} with a TTL, and {@code nodes} lists the id. The
 * coordinator treats the node as live while the key exists. A restarted node with the same
 * id and URL takes its lease back at once.
 */
@Component
public class NodeLeaseKeeper implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(NodeLeaseKeeper.class);

    private final LeaseKeeper keeper;

    public NodeLeaseKeeper(StringRedisTemplate redis, RedisKeys keys, StorageProperties props, JsonMapper json) {
        String value = json.writeValueAsString(new NodeInfo(props.nodeId(), props.advertisedUrl()));
        RedisLease lease = new RedisLease(redis, keys.nodeLease(props.nodeId()), value, props.leaseTtl(), Duration.ofMillis(500));
        this.keeper = new LeaseKeeper("node-lease", lease, props.leaseTtl().toMillis(), new LeaseKeeper.Holder() {
            @Override
            public void acquired(RedisLease.Outcome outcome) {
                redis.opsForSet().add(keys.nodes(), props.nodeId());
                log.info("Node {} registered at {} ({})", props.nodeId(), props.advertisedUrl(), outcome);
            }

            @Override
            public void lost() {
                log.error("Node {} lost its lease; registering again", props.nodeId());
            }
        });
    }

    public boolean isHeld() {
        return keeper.isHeld();
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
