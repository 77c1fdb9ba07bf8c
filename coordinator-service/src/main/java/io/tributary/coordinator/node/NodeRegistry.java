package io.tributary.coordinator.node;

import io.tributary.coordinator.CoordinatorProperties;
import io.tributary.coordinator.leadership.PartitionLeadership;
import io.tributary.coordinator.reassignment.ReassignmentDriver;
import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.metadata.NodeInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
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
 * The registry of live storage nodes, RocketMQ NameServer style: each node keeps a lease key
 * with a TTL in Redis ({@code node:<id>}) and lists itself in {@code nodes}; a node is live
 * while its key exists. This polls the keys and hands changes to the metadata store, which
 * publishes them to everyone watching.
 */
@Component
public class NodeRegistry implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final MetadataStore store;
    private final JsonMapper json;
    private final CoordinatorProperties props;
    private final PartitionLeadership leadership;
    private final ReassignmentDriver moves;
    private ScheduledExecutorService timer;

    public NodeRegistry(StringRedisTemplate redis, RedisKeys keys, MetadataStore store, JsonMapper json,
            CoordinatorProperties props, PartitionLeadership leadership, ReassignmentDriver moves) {
        this.moves = moves;
        this.redis = redis;
        this.keys = keys;
        this.store = store;
        this.json = json;
        this.props = props;
        this.leadership = leadership;
    }

    /** Reads the node leases; a node that came or went may change who leads what, and moves step on. */
    void poll() {
        List<NodeInfo> live;
        try {
            live = readLiveNodes();
            store.setLiveNodes(live);
            leadership.reconcile(live);
        } catch (RuntimeException e) {
            log.warn("Cannot read node leases: {}", e.toString());
            return;
        }
        try {
            moves.advance(live);
        } catch (RuntimeException e) {
            log.warn("Cannot take partition moves forward: {}", e.toString());
        }
    }

    List<NodeInfo> readLiveNodes() {
        Set<String> ids = redis.opsForSet().members(keys.nodes());
        if (ids == null || ids.isEmpty()) {
            return List.of();
        }
        List<String> idList = new ArrayList<>(ids);
        List<String> values = redis.opsForValue().multiGet(idList.stream().map(keys::nodeLease).toList());
        List<NodeInfo> live = new ArrayList<>();
        for (int i = 0; i < idList.size(); i++) {
            String v = values == null ? null : values.get(i);
            if (v != null) {
                live.add(json.readValue(v, NodeInfo.class));
            }
        }
        live.sort(Comparator.comparing(NodeInfo::id));
        return live;
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "node-registry"));
        timer.scheduleWithFixedDelay(this::poll, 0, props.nodePollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        timer.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return timer != null && !timer.isShutdown();
    }
}
