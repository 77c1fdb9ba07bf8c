package io.tributary.coordinator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.metadata.PartitionInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ReplicaPlacementTest {

    @Property
    void everyPartitionGetsDistinctLiveReplicasAndLeadersSpreadEvenly(
            @ForAll @IntRange(min = 1, max = 200) int partitions,
            @ForAll @IntRange(min = 1, max = 9) int nodeCount,
            @ForAll @IntRange(min = 1, max = 9) int rfSeed,
            @ForAll @IntRange(min = -1000, max = 1000) int start) {
        int rf = 1 + (rfSeed - 1) % nodeCount;
        List<String> nodes = IntStream.range(0, nodeCount).mapToObj(i -> "n" + i).toList();
        List<PartitionInfo> placed = ReplicaPlacement.place(partitions, rf, nodes, start);

        assertThat(placed).hasSize(partitions);
        Map<String, Integer> leaders = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            PartitionInfo info = placed.get(p);
            assertThat(info.partition()).isEqualTo(p);
            assertThat(info.replicas()).hasSize(rf).doesNotHaveDuplicates();
            assertThat(nodes).containsAll(info.replicas());
            assertThat(info.leader()).isEqualTo(info.replicas().get(0));
            assertThat(info.isr()).isEqualTo(info.replicas());
            assertThat(info.leaderEpoch()).isEqualTo(1);
            leaders.merge(info.leader(), 1, Integer::sum);
        }
        // Round robin: no node leads more than one partition more than any other.
        int max = leaders.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = nodes.stream().mapToInt(n -> leaders.getOrDefault(n, 0)).min().orElse(0);
        assertThat(max - min).isLessThanOrEqualTo(1);
        assertThat(new HashSet<>(leaders.keySet()).size()).isEqualTo(Math.min(partitions, nodeCount));
    }
}
