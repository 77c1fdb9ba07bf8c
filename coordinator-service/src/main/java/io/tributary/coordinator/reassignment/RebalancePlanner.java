package io.tributary.coordinator.reassignment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Plans a rebalance: replica lists that spread replicas, then preferred leaders (each list's
 * first replica, Kafka's preferred leader), evenly over the target nodes with few moves. Pure:
 * the input is every partition's replica list; partitions in {@code fixed} (already moving)
 * count where they are but are not changed.
 * <ol>
 *   <li>A replica on a node that is not a target (dead, draining) goes to the target with the
 *       fewest replicas that the partition does not use yet.</li>
 *   <li>While the fullest node holds two or more replicas more than the emptiest, one replica
 *       moves from the one to the other (some partition on the fullest never holds the
 *       emptiest, or the emptiest would hold at least as many). Each step copies one replica,
 *       and no node both gains and loses, so the replica copies are as few as the counts allow.</li>
 *   <li>Leaders: while a node is the preferred leader of two or more partitions more than
 *       another that holds a replica of one of them, the two swap places in that list. A swap
 *       copies nothing: it only changes which replica leads.</li>
 * </ol>
 * Every step lowers a sum of squared counts, so each loop ends.
 */
public final class RebalancePlanner {
    private RebalancePlanner() {
    }

    /** The new replica list of every partition whose list changes (same keys as {@code placements}). */
    public static Map<String, List<String>> plan(Map<String, List<String>> placements, Set<String> fixed, List<String> targets) {
        Map<String, List<String>> next = new TreeMap<>();
        placements.forEach((k, v) -> next.put(k, new ArrayList<>(v)));
        if (targets.isEmpty()) {
            return Map.of();
        }
        Map<String, Integer> replicas = counts(next, targets, false);
        rehome(next, fixed, targets, replicas);
        spreadReplicas(next, fixed, targets, replicas);
        spreadLeaders(next, fixed, targets);
        Map<String, List<String>> changed = new LinkedHashMap<>();
        next.forEach((k, v) -> {
            if (!v.equals(placements.get(k))) {
                changed.put(k, List.copyOf(v));
            }
        });
        return changed;
    }

    static Map<String, Integer> counts(Map<String, List<String>> placements, List<String> targets, boolean leadersOnly) {
        Map<String, Integer> c = new TreeMap<>();
        targets.forEach(n -> c.put(n, 0));
        for (List<String> replicas : placements.values()) {
            for (String r : leadersOnly ? replicas.subList(0, Math.min(1, replicas.size())) : replicas) {
                c.computeIfPresent(r, (n, x) -> x + 1);
            }
        }
        return c;
    }

    private static void rehome(Map<String, List<String>> next, Set<String> fixed, List<String> targets, Map<String, Integer> counts) {
        for (Map.Entry<String, List<String>> e : next.entrySet()) {
            if (fixed.contains(e.getKey())) {
                continue;
            }
            List<String> replicas = e.getValue();
            for (int i = 0; i < replicas.size(); i++) {
                if (counts.containsKey(replicas.get(i))) {
                    continue;
                }
                String to = emptiest(counts, replicas);
                if (to != null) {
                    replicas.set(i, to);
                    counts.merge(to, 1, Integer::sum);
                }
            }
        }
    }

    /** The node with the fewest replicas in {@code counts} outside {@code excluded} (ties by id), or null. */
    static String emptiest(Map<String, Integer> counts, List<String> excluded) {
        return counts.entrySet().stream().filter(c -> !excluded.contains(c.getKey()))
                .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).orElse(null);
    }

    private static void spreadReplicas(Map<String, List<String>> next, Set<String> fixed, List<String> targets,
            Map<String, Integer> counts) {
        while (true) {
            String full = extreme(counts, true);
            String empty = extreme(counts, false);
            if (counts.get(full) - counts.get(empty) <= 1) {
                return;
            }
            List<String> chosen = pick(next, fixed, full, empty);
            if (chosen == null) {
                return; // cannot happen (see the class comment); stop rather than loop
            }
            chosen.set(chosen.indexOf(full), empty);
            counts.merge(full, -1, Integer::sum);
            counts.merge(empty, 1, Integer::sum);
        }
    }

    /** A movable partition on {@code from} without {@code to}; one where {@code from} does not lead first (leaders stay put). */
    private static List<String> pick(Map<String, List<String>> next, Set<String> fixed, String from, String to) {
        List<String> leading = null;
        for (Map.Entry<String, List<String>> e : next.entrySet()) {
            List<String> r = e.getValue();
            if (fixed.contains(e.getKey()) || !r.contains(from) || r.contains(to)) {
                continue;
            }
            if (!r.get(0).equals(from)) {
                return r;
            }
            leading = leading == null ? r : leading;
        }
        return leading;
    }

    private static void spreadLeaders(Map<String, List<String>> next, Set<String> fixed, List<String> targets) {
        Map<String, Integer> leaders = counts(next, targets, true);
        boolean swapped = true;
        while (swapped) {
            swapped = false;
            List<String> byLoad = new ArrayList<>(leaders.keySet());
            byLoad.sort(Comparator.comparing((String n) -> -leaders.get(n)).thenComparing(n -> n));
            for (String over : byLoad) {
                if (swapped) {
                    break;
                }
                for (int i = byLoad.size() - 1; i >= 0 && !swapped; i--) {
                    String under = byLoad.get(i);
                    if (leaders.get(over) - leaders.get(under) < 2) {
                        continue;
                    }
                    for (Map.Entry<String, List<String>> e : next.entrySet()) {
                        List<String> r = e.getValue();
                        if (!fixed.contains(e.getKey()) && !r.isEmpty() && r.get(0).equals(over) && r.contains(under)) {
                            r.set(r.indexOf(under), over);
                            r.set(0, under);
                            leaders.merge(over, -1, Integer::sum);
                            leaders.merge(under, 1, Integer::sum);
                            swapped = true;
                            break;
                        }
                    }
                }
            }
        }
    }

    private static String extreme(Map<String, Integer> counts, boolean max) {
        Comparator<Map.Entry<String, Integer>> byCount = Map.Entry.comparingByValue();
        Comparator<Map.Entry<String, Integer>> order = (max ? byCount.reversed() : byCount).thenComparing(Map.Entry.comparingByKey());
        return counts.entrySet().stream().min(order).orElseThrow().getKey();
    }
}
