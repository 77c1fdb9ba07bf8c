package io.tributary.protocol.metadata;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * Placement of one partition: its replicas (the first is the preferred leader), the leader
 * (null while no eligible replica is live: the partition is offline), the in-sync set (the
 * replicas that have everything the high watermark covers; the leader is always one), and the
 * leader epoch, which increases every time leadership moves. Storage refuses appends and
 * fetches that carry another epoch.
 *
 * <p>While the partition moves (a reassignment, KIP-455's model), {@code replicas} is the union
 * of the target replicas (first, in their order) and the ones leaving: {@code adding} are the
 * target replicas copying the log (they join the in-sync set once caught up), {@code removing}
 * the replicas that go when the move completes. Keeping the move inside the partition's own
 * placement makes it one atomic record: a controller that takes over finds it exactly as left.
 * {@code copyBytesPerSecond} caps how fast each adding replica copies while it is out of sync
 * (0: no cap).
 */
public record PartitionInfo(int partition, String leader, List<String> replicas, List<String> isr, int leaderEpoch,
        List<String> adding, List<String> removing, Long copyBytesPerSecond) {
    public PartitionInfo {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        adding = adding == null ? List.of() : List.copyOf(adding);
        removing = removing == null ? List.of() : List.copyOf(removing);
        copyBytesPerSecond = copyBytesPerSecond == null || !isMoving(adding, removing) ? 0L : Math.max(0, copyBytesPerSecond);
    }

    public PartitionInfo(int partition, String leader, List<String> replicas, List<String> isr, int leaderEpoch) {
        this(partition, leader, replicas, isr, leaderEpoch, List.of(), List.of(), 0L);
    }

    private static boolean isMoving(List<String> adding, List<String> removing) {
        return !adding.isEmpty() || !removing.isEmpty();
    }

    @JsonIgnore
    public boolean isOffline() {
        return leader == null;
    }

    /** Whether a reassignment of this partition is in progress. */
    @JsonIgnore
    public boolean isMoving() {
        return isMoving(adding, removing);
    }

    /** The replica set this partition had before its move (its replicas when not moving). */
    @JsonIgnore
    public List<String> originalReplicas() {
        return replicas.stream().filter(r -> !adding.contains(r)).toList();
    }

    /** The replica set this partition has once its move completes (its replicas when not moving). */
    @JsonIgnore
    public List<String> targetReplicas() {
        return replicas.stream().filter(r -> !removing.contains(r)).toList();
    }

    public PartitionInfo withLeader(String newLeader, List<String> newIsr, int newEpoch) {
        return new PartitionInfo(partition, newLeader, replicas, newIsr, newEpoch, adding, removing, copyBytesPerSecond);
    }

    public PartitionInfo withIsr(List<String> newIsr) {
        return new PartitionInfo(partition, leader, replicas, newIsr, leaderEpoch, adding, removing, copyBytesPerSecond);
    }

    /** This partition with a new replica set and move state, leader, in-sync set and epoch kept. */
    public PartitionInfo withReplicas(List<String> newReplicas, List<String> newAdding, List<String> newRemoving, long copyRate) {
        return new PartitionInfo(partition, leader, newReplicas, isr, leaderEpoch, newAdding, newRemoving, copyRate);
    }
}
