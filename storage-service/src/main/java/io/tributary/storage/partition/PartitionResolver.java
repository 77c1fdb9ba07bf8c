package io.tributary.storage.partition;

import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.lease.NodeLeaseKeeper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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

    private final NodeLeaseKeeper lease;
    private final Counter fenced;

    public PartitionResolver(MetadataWatcher metadata, PartitionRegistry registry, Scheduler diskScheduler, StorageProperties props,
            NodeLeaseKeeper lease, MeterRegistry meters) {
        this.metadata = metadata;
        this.registry = registry;
        this.disk = diskScheduler;
        this.nodeId = props.nodeId();
        this.lease = lease;
        this.fenced = Counter.builder("tributary.storage.fenced.requests")
                .description("leader requests refused because this node could not vouch for its node lease").register(meters);
    }

    /**
     * The partition if this node leads it, for a write (an append, a cursor commit): refused
     * while this node cannot vouch for its node lease.
     *
     * @param epoch the leader epoch the caller believes in, or null to accept the current one
     */
    public Mono<LedPartition> leader(String vhost, String topic, int partition, Integer epoch) {
        return resolve(vhost, topic, partition, epoch).map(this::led);
    }

    /**
     * As {@link #leader}, at once on the calling thread by the metadata this node has now (a
     * background task of the leader's own, which must not queue behind client reads): null
     * when this node does not lead the partition or cannot vouch for its lease.
     */
    public LedPartition leaderNow(String vhost, String topic, int partition) {
        try {
            return led(check(metadata.current(), vhost, topic, partition, null));
        } catch (TributaryException notLeaderOrFenced) {
            return null;
        }
    }

    private LedPartition led(Checked c) {
        // Self-fencing: a leader whose node lease may have lapsed in Redis (a pause, Redis
        // away) could already be replaced; it takes no write until it renews.
        if (!lease.isHeld()) {
            fenced.increment();
            throw TributaryException.unavailable(nodeId + " cannot renew its node lease: it stops leading until it can");
        }
        Partition p = registry.get(c.id());
        p.lead(nodeId, c.epoch(), c.placement().isr(), c.topic().minInSyncReplicas());
        return new LedPartition(p, c.epoch(), c.topic(), c.placement());
    }

    /**
     * The partition if this node leads it by the metadata it has, for a read below the high
     * watermark. No lease is needed: everything below the high watermark is on every in-sync
     * replica, so even a leader that was replaced meanwhile serves only committed messages
     * (perhaps not the newest). That is what keeps consumers reading while Redis is away.
     */
    public Mono<LedPartition> reader(String vhost, String topic, int partition, Integer epoch) {
        return resolve(vhost, topic, partition, epoch).map(c -> {
            Partition p = registry.get(c.id());
            if (lease.isHeld()) {
                p.lead(nodeId, c.epoch(), c.placement().isr(), c.topic().minInSyncReplicas());
            }
            return new LedPartition(p, c.epoch(), c.topic(), c.placement());
        });
    }

    private Mono<Checked> resolve(String vhost, String topic, int partition, Integer epoch) {
        return Mono.fromCallable(() -> check(metadata.current(), vhost, topic, partition, epoch))
                .onErrorResume(TributaryException.class, first -> metadata.refresh()
                        .map(fresh -> check(fresh, vhost, topic, partition, epoch)))
                .publishOn(disk);
    }

    private record Checked(PartitionId id, int epoch, TopicInfo topic, PartitionInfo placement) {
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
        return new Checked(new PartitionId(vhost, topic, t.id(), partition), p.leaderEpoch(), t, p);
    }
}
