package io.tributary.coordinator.leadership;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.metadata.ClusterMetadata;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Replication as Actuator shows it on the active controller: gauges
 * {@code tributary.partitions.under.replicated} and {@code tributary.partitions.offline},
 * counters {@code tributary.leader.elections}, {@code tributary.isr.shrinks} and
 * {@code tributary.isr.expands} (this coordinator's terms only), and the {@code replication}
 * health component with the same figures as details. It stays UP with offline partitions:
 * the coordinator itself is fine, and the figures say what is not.
 */
@Component("replication")
public class ReplicationMetrics implements HealthIndicator {
    private final MetadataStore store;
    private final Counter elections;
    private final Counter shrinks;
    private final Counter expands;

    public ReplicationMetrics(MetadataStore store, MeterRegistry meters) {
        this.store = store;
        this.elections = Counter.builder("tributary.leader.elections").description("partition leaders elected").register(meters);
        this.shrinks = Counter.builder("tributary.isr.shrinks").description("replicas taken out of an in-sync set").register(meters);
        this.expands = Counter.builder("tributary.isr.expands").description("replicas taken back into an in-sync set").register(meters);
        Gauge.builder("tributary.partitions.under.replicated", this, m -> m.counts()[0])
                .description("partitions whose in-sync set is smaller than their replica set").register(meters);
        Gauge.builder("tributary.partitions.offline", this, m -> m.counts()[1])
                .description("partitions without a live leader").register(meters);
    }

    void elected() {
        elections.increment();
    }

    /** An in-sync set went from {@code before} to {@code after} members. */
    void isrChanged(int before, int after) {
        if (after < before) {
            shrinks.increment(before - after);
        } else if (after > before) {
            expands.increment(after - before);
        }
    }

    /** {under-replicated, offline} in the current metadata; zeros on a standby. */
    long[] counts() {
        if (!store.isLoaded()) {
            return new long[] {0, 0};
        }
        ClusterMetadata m = store.current();
        Set<String> live = m.nodes().stream().map(NodeInfo::id).collect(Collectors.toSet());
        long under = 0;
        long offline = 0;
        for (TopicInfo t : m.topics()) {
            for (PartitionInfo p : t.assignments()) {
                under += p.isr().size() < p.replicas().size() ? 1 : 0;
                offline += p.leader() == null || !live.contains(p.leader()) ? 1 : 0;
            }
        }
        return new long[] {under, offline};
    }

    @Override
    public Health health() {
        long[] c = counts();
        return Health.up()
                .withDetail("underReplicatedPartitions", c[0])
                .withDetail("offlinePartitions", c[1])
                .withDetail("leaderElections", (long) elections.count())
                .withDetail("isrShrinks", (long) shrinks.count())
                .withDetail("isrExpands", (long) expands.count())
                .build();
    }
}
