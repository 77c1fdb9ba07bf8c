package io.tributary.storage.partition;

import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.storage.StorageProperties;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Turns a request's (vhost, topic, partition, epoch) into a hosted partition, refusing with
 * {@code not-leader} when this node does not lead it in that epoch. The metadata is refreshed
 * once before refusing, so a topic or leader change a moment old is not mistaken for an error.
 */
@Component
public class PartitionResolver {
    private final MetadataWatcher metadata;
    private final PartitionRegistry registry;
    private final Scheduler disk;
    private final String nodeId;

    public PartitionResolver(MetadataWatcher metadata, PartitionRegistry registry, Scheduler diskScheduler, StorageProperties props) {
        this.metadata = metadata;
        this.registry = registry;
        this.disk = diskScheduler;
        this.nodeId = props.nodeId();
    }

    /**
     * The partition if this node leads it.
     *
     * @param epoch the leader epoch the caller believes in, or null to accept the current one
     */
    public Mono<LedPartition> leader(String vhost, String topic, int partition, Integer epoch) {
        return Mono.fromCallable(() -> check(metadata.current(), vhost, topic, partition, epoch))
                .onErrorResume(TributaryException.class, first -> metadata.refresh()
                        .map(fresh -> check(fresh, vhost, topic, partition, epoch)))
                .publishOn(disk)
                .map(c -> new LedPartition(registry.get(c.id()), c.epoch(), c.topic()));
    }

    private record Checked(PartitionId id, int epoch, TopicInfo topic) {
    }

    private Checked check(MetadataSnapshot m, String vhost, String topic, int partition, Integer epoch) {
        TopicInfo t = m.requireTopic(vhost, topic);
        PartitionInfo p = m.requirePartition(t, partition);
        if (!nodeId.equals(p.leader())) {
            throw TributaryException.notLeader(nodeId + " does not lead " + vhost + "/" + topic + "/" + partition
                    + " (leader is " + p.leader() + ", epoch " + p.leaderEpoch() + ")");
        }
        if (epoch != null && epoch != p.leaderEpoch()) {
            throw TributaryException.notLeader("leader epoch " + epoch + " is not the current epoch " + p.leaderEpoch()
                    + " of " + vhost + "/" + topic + "/" + partition);
        }
        return new Checked(new PartitionId(vhost, topic, t.id(), partition), p.leaderEpoch(), t);
    }
}
