package io.tributary.protocol.metadata;

import java.util.List;

/**
 * Placement of one partition: its replicas (the first is the preferred leader), the leader
 * (null while no eligible replica is live: the partition is offline), the in-sync set (the
 * replicas that have everything the high watermark covers; the leader is always one), and the
 * leader epoch, which increases every time leadership moves. Storage refuses appends and
 * fetches that carry another epoch.
 */
public record PartitionInfo(int partition, String leader, List<String> replicas, List<String> isr, int leaderEpoch) {
    public PartitionInfo {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isOffline() {
        return leader == null;
    }

    public PartitionInfo withLeader(String newLeader, List<String> newIsr, int newEpoch) {
        return new PartitionInfo(partition, newLeader, replicas, newIsr, newEpoch);
    }

    public PartitionInfo withIsr(List<String> newIsr) {
        return new PartitionInfo(partition, leader, replicas, newIsr, leaderEpoch);
    }
}
