package io.tributary.protocol.metadata;

import java.util.List;

/**
 * Placement of one partition. {@code leaderEpoch} increases every time leadership moves;
 * storage refuses appends and fetches that carry another epoch.
 */
public record PartitionInfo(int partition, String leader, List<String> replicas, List<String> isr, int leaderEpoch) {
    public PartitionInfo {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }
}
