package io.tributary.storage.lease;

import io.tributary.protocol.lease.LeaseKeeper;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.lease.RedisLease;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.partition.CleanShutdownMarker;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers this storage node in Redis and keeps its lease alive: the key
 * {@code node:<id>} holds {"id","url","incarnation","cleanStart"} with a TTL, and
 * {@code nodes} lists the id. The coordinator treats the node as live while the key exists.
 * A restarted node waits for its previous run's lease to lapse (the incarnation differs), so
 * a restart is never mistaken for the same run.
 */
@Component
public class NodeLeaseKeeper implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(NodeLeaseKeeper.class);

    private final LeaseKeeper keeper;

    public NodeLeaseKeeper(StringRedisTemplate redis, RedisKeys keys, StorageProperties props, JsonMapper json,
            CleanShutdownMarker shutdown) {
        // The incarnation makes a restarted process's lease differ from its previous run's, so
        // it cannot take that one back: the controller sees the restart (and how it ended).
        long incarnation = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        String value = json.writeValueAsString(new NodeInfo(props.nodeId(), props.advertisedUrl(), incarnation,
                shutdown.cleanStart()));
        RedisLease lease = new RedisLease(redis, keys.nodeLease(props.nodeId()), value, props.leaseTtl(), Duration.ofMillis(500));
        this.keeper = new LeaseKeeper("node-lease", lease, props.leaseTtl().toMillis(), new LeaseKeeper.Holder() {
            @Override
            public void acquired(RedisLease.Outcome outcome) {
                redis.opsForSet().add(keys.nodes(), props.nodeId());
                log.info("Node {} registered at {} ({}; {} start)", props.nodeId(), props.advertisedUrl(), outcome,
                        shutdown.cleanStart() ? "clean" : "unclean");
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
