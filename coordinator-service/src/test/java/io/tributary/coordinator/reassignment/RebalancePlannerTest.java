package io.tributary.coordinator.reassignment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The rebalance plan against what a plan must be, on random clusters: nodes added (empty) and
 * removed (their replicas orphaned), random placements, some partitions fixed (moving).
 */
class RebalancePlannerTest {

    @Property(tries = 300)
    void plansSpreadReplicasWithinOneCopyNoMoreThanNeededAndAreStable(
            @ForAll @IntRange(min = 1, max = 7) int nodeCount,
            @ForAll @IntRange(min = 0, max = 2) int goneNodes,
            @ForAll @IntRange(min = 1, max = 40) int partitions,
            @ForAll @IntRange(min = 1, max = 3) int rfSeed,
            @ForAll long seed) {
        Random random = new Random(seed);
        int rf = Math.min(rfSeed, nodeCount);
        List<String> targets = IntStream.range(0, nodeCount).mapToObj(i -> "n" + i).toList();
        List<String> all = new ArrayList<>(targets);
        IntStream.range(0, goneNodes).forEach(i -> all.add("gone" + i));
        // Placements over a random subset of every node ever known (new nodes start empty).
        int used = 1 + random.nextInt(all.size());
        List<String> pool = new ArrayList<>(all);
        java.util.Collections.shuffle(pool, random);
        List<String> placedOn = pool.subList(0, Math.max(used, Math.min(rf, all.size())));
        Map<String, List<String>> before = new TreeMap<>();
        Set<String> fixed = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            List<String> shuffled = new ArrayList<>(placedOn);
            java.util.Collections.shuffle(shuffled, random);
            List<String> replicas = List.copyOf(shuffled.subList(0, Math.min(rf, shuffled.size())));
            if (replicas.size() < rf) {
                return; // not enough nodes known to place this partition: no such cluster
            }
            before.put("t/" + p, replicas);
            if (random.nextInt(10) == 0 && replicas.stream().allMatch(targets::contains)) {
                fixed.add("t/" + p);
            }
        }

        Map<String, List<String>> changed = RebalancePlanner.plan(before, fixed, targets);
        Map<String, List<String>> after = new TreeMap<>(before);
        after.putAll(changed);

        for (Map.Entry<String, List<String>> e : after.entrySet()) {
            List<String> r = e.getValue();
            assertThat(r).hasSize(rf).doesNotHaveDuplicates();
            assertThat(targets).as("every replica on a live target node").containsAll(r);
            if (fixed.contains(e.getKey())) {
                assertThat(changed).doesNotContainKey(e.getKey());
            }
        }
        Map<String, Integer> countsBefore = RebalancePlanner.counts(before, targets, false);
        Map<String, Integer> counts = RebalancePlanner.counts(after, targets, false);
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        int min = counts.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
        if (fixed.isEmpty()) {
            assertThat(max - min).as("replicas per node %s", counts).isLessThanOrEqualTo(1);
        }
        int copies = 0;
        for (String key : changed.keySet()) {
            copies += (int) after.get(key).stream().filter(n -> !before.get(key).contains(n)).count();
        }
        int orphans = (int) before.values().stream().flatMap(List::stream).filter(n -> !targets.contains(n)).count();
        if (orphans == 0 && fixed.isEmpty()) {
            assertThat(copies).as("copies: the fewest that reach a spread within one").isEqualTo(fewestCopies(countsBefore));
        } else {
            int gains = targets.stream().mapToInt(n -> Math.max(0, counts.get(n) - countsBefore.get(n))).sum();
            assertThat(copies).as("copies").isGreaterThanOrEqualTo(orphans).isGreaterThanOrEqualTo(gains);
        }
        // Stable: a balanced cluster needs nothing more.
        assertThat(RebalancePlanner.plan(after, fixed, targets)).as("a second plan").isEmpty();
    }

    /**
     * The reference: with T replicas on N nodes the end state has T mod N nodes at the ceiling
     * and the rest at the floor; the fewest copies give the ceiling to the fullest nodes, and each
     * node then sheds what it holds above its share.
     */
    private static int fewestCopies(Map<String, Integer> before) {
        List<Integer> sorted = new ArrayList<>(before.values());
        sorted.sort(java.util.Comparator.reverseOrder());
        int total = sorted.stream().mapToInt(Integer::intValue).sum();
        int floor = total / sorted.size();
        int atCeiling = total % sorted.size();
        int copies = 0;
        for (int i = 0; i < sorted.size(); i++) {
            copies += Math.max(0, sorted.get(i) - (i < atCeiling ? floor + 1 : floor));
        }
        return copies;
    }

    @Test
    void aFourthNodeGetsItsShareOfReplicasAndLeaders() {
        Map<String, List<String>> before = new TreeMap<>();
        for (int p = 0; p < 6; p++) {
            before.put("t/" + p, List.of("n" + (p % 3), "n" + ((p + 1) % 3), "n" + ((p + 2) % 3)));
        }
        List<String> targets = List.of("n0", "n1", "n2", "n3");

        Map<String, List<String>> changed = RebalancePlanner.plan(before, Set.of(), targets);
        Map<String, List<String>> after = new TreeMap<>(before);
        after.putAll(changed);

        // 18 replicas over 4 nodes: 4 or 5 each; 6 leaders: 1 or 2 each; n3 gets 4 copies, no more.
        assertThat(RebalancePlanner.counts(after, targets, false).values()).allMatch(c -> c == 4 || c == 5);
        assertThat(RebalancePlanner.counts(after, targets, true).values()).allMatch(c -> c == 1 || c == 2);
        assertThat(RebalancePlanner.counts(after, targets, false).get("n3")).isEqualTo(4);
    }

    @Property(tries = 200)
    void whenEveryNodeHoldsEveryPartitionLeadersSpreadWithinOne(
            @ForAll @IntRange(min = 1, max = 5) int nodeCount, @ForAll @IntRange(min = 1, max = 30) int partitions, @ForAll long seed) {
        Random random = new Random(seed);
        List<String> targets = IntStream.range(0, nodeCount).mapToObj(i -> "n" + i).toList();
        Map<String, List<String>> before = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            List<String> r = new ArrayList<>(targets);
            java.util.Collections.shuffle(r, random);
            before.put("t/" + p, List.copyOf(r));
        }
        Map<String, List<String>> changed = RebalancePlanner.plan(before, Set.of(), targets);
        Map<String, List<String>> after = new TreeMap<>(before);
        after.putAll(changed);
        Map<String, Integer> leaders = RebalancePlanner.counts(after, targets, true);
        int max = leaders.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        int min = leaders.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
        assertThat(max - min).as("leaders per node %s", leaders).isLessThanOrEqualTo(1);
        changed.forEach((k, v) -> assertThat(new HashSet<>(v)).as("a leader swap copies nothing").isEqualTo(new HashSet<>(before.get(k))));
    }
}
