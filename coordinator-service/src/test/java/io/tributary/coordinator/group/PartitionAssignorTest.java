package io.tributary.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PartitionAssignorTest {

    @Property
    void everyPartitionHasExactlyOneOwnerAndSharesDifferByAtMostOne(
            @ForAll @IntRange(min = 1, max = 64) int partitions, @ForAll @IntRange(min = 1, max = 20) int memberCount) {
        List<String> members = IntStream.range(0, memberCount).mapToObj(i -> "m" + i).sorted().toList();
        List<Integer> all = new ArrayList<>();
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (String m : members) {
            List<Integer> mine = PartitionAssignor.assign(members, m, partitions);
            all.addAll(mine);
            min = Math.min(min, mine.size());
            max = Math.max(max, mine.size());
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(IntStream.range(0, partitions).boxed().toList());
        assertThat(max - min).isLessThanOrEqualTo(1);
    }

    @Test
    void strangersOwnNothing() {
        assertThat(PartitionAssignor.assign(List.of("a", "b"), "c", 4)).isEmpty();
    }
}
