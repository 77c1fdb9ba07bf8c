package io.tributary.storage.replication;

import io.tributary.protocol.cluster.CoordinatorCall;
import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionId;
import io.tributary.storage.partition.PartitionRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The leader's half of in-sync set changes (Kafka's AlterPartition): every second, for each
 * partition this node leads, a follower that has not caught up for {@code replica-lag-max}
 * leaves the in-sync set, and one whose log reaches the high watermark again joins it. The
 * change is proposed to the controller, which checks the leader and epoch and persists it;
 * the partition acts on it (for the high watermark, for minInSyncReplicas) only once the
 * metadata carries it.
 */
@Component
public class IsrMaintainer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(IsrMaintainer.class);

    private final PartitionRegistry registry;
    private final MetadataWatcher metadata;
    private final CoordinatorCall coordinator;
    private final StorageProperties props;
    private ScheduledExecutorService timer;

    public IsrMaintainer(PartitionRegistry registry, MetadataWatcher metadata, CoordinatorCall coordinator, StorageProperties props) {
        this.registry = registry;
        this.metadata = metadata;
        this.coordinator = coordinator;
        this.props = props;
    }

    void check() {
        if (!metadata.isLoaded()) {
            return;
        }
        MetadataSnapshot m = metadata.current();
        long now = System.currentTimeMillis();
        for (Map.Entry<PartitionId, Partition> e : registry.openPartitions().entrySet()) {
            try {
                check(m, e.getKey(), e.getValue(), now);
            } catch (RuntimeException ex) {
                log.warn("in-sync check of {} failed: {}", e.getKey(), ex.toString());
            }
        }
    }

    private void check(MetadataSnapshot m, PartitionId id, Partition p, long now) {
        ReplicaTracker tracker = p.tracker();
        Optional<TopicInfo> topic = m.topic(id.vhost(), id.topic());
        if (tracker == null || topic.isEmpty() || !topic.get().id().equals(id.topicId())) {
            return;
        }
        PartitionInfo placement = topic.get().partition(id.partition());
        if (!props.nodeId().equals(placement.leader()) || placement.leaderEpoch() != tracker.epoch()) {
            p.stopLeading();
            return;
        }
        List<String> isr = new ArrayList<>(placement.isr());
        List<String> lagging = tracker.lagging(props.nodeId(), isr, now, props.replicaLagMax().toMillis());
        isr.removeAll(lagging);
        List<String> back = tracker.caughtUp(placement.replicas(), isr, p.highWatermark().value());
        isr.addAll(back);
        if (!isr.contains(props.nodeId())) {
            isr.add(0, props.nodeId());
        }
        if (isr.size() == placement.isr().size() && isr.containsAll(placement.isr())) {
            return;
        }
        List<String> ordered = placement.replicas().stream().filter(isr::contains).toList();
        log.info("{}/{}/{}: proposing in-sync set {} (was {}; lagging {}, caught up {})", id.vhost(), id.topic(), id.partition(),
                ordered, placement.isr(), lagging, back);
        coordinator.call(c -> c.post()
                .uri("/internal/vhosts/{vhost}/topics/{topic}/partitions/{partition}/isr", id.vhost(), id.topic(), id.partition())
                .bodyValue(Map.of("leader", props.nodeId(), "leaderEpoch", placement.leaderEpoch(), "isr", ordered))
                .retrieve().toBodilessEntity())
                .subscribe(ok -> metadata.refresh().subscribe(x -> { }, x -> { }),
                        err -> log.info("in-sync change of {} not taken: {}", id, err.toString()));
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "isr-maintainer"));
        timer.scheduleWithFixedDelay(this::check, 1000, 1000, TimeUnit.MILLISECONDS);
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
