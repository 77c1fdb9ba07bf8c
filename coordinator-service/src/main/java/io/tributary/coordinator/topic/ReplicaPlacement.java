package io.tributary.coordinator.topic;

import io.tributary.protocol.metadata.PartitionInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Places a topic's partitions on storage nodes: partition {@code p} goes to the
 * {@code replicationFactor} nodes starting at {@code (start + p) mod n} in the sorted node
 * list, the first of them leading. Consecutive partitions therefore lead on consecutive
 * nodes (leaders spread evenly), and {@code start} (derived from the topic name) keeps small
 * topics from all leading on the first node.
 */
public final class ReplicaPlacement {
    private ReplicaPlacement() {
    }

    public static List<PartitionInfo> place(int partitions, int replicationFactor, List<String> sortedNodeIds, int start) {
        int n = sortedNodeIds.size();
        if (replicationFactor < 1 || replicationFactor > n) {
            throw new IllegalArgumentException("replication factor " + replicationFactor + " with " + n + " live nodes");
        }
        List<PartitionInfo> result = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            List<String> replicas = new ArrayList<>(replicationFactor);
            for (int r = 0; r < replicationFactor; r++) {
                replicas.add(sortedNodeIds.get(Math.floorMod(start + p + r, n)));
            }
            result.add(new PartitionInfo(p, replicas.get(0), replicas, replicas, 1));
        }
        return result;
    }
}
