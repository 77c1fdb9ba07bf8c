package io.tributary.coordinator.reassignment;

import io.tributary.protocol.metadata.PartitionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The three steps of one partition's move, as pure functions of its placement (KIP-455's
 * model; the controller persists each result in one fenced write):
 * <ol>
 *   <li>{@link #start}: the replica set becomes target + leaving; the new replicas are
 *       {@code adding} and begin copying the log as followers; nothing else changes, so
 *       producers and consumers keep the same leader.</li>
 *   <li>{@link #complete}, once every adding replica is in sync: the replica set becomes the
 *       target, the leaving replicas leave the in-sync set, and the target's first replica (the
 *       preferred leader) leads if it is in sync and live, else the current leader stays if it
 *       remains, else the first in-sync live target replica. Everything below the high
 *       watermark is on every in-sync replica, so no acknowledged write is lost by the switch.</li>
 *   <li>{@link #rollBack}: back to the original replicas (a target node died, or the operator
 *       cancelled); the adding replicas leave; if one of them leads, an original in-sync
 *       replica takes over.</li>
 * </ol>
 * Both endings are refused (null) when no in-sync live replica could lead afterwards: the move
 * then waits rather than take the partition offline.
 */
public final class PartitionMove {
    private PartitionMove() {
    }

    /** The placement with a move to {@code target} begun; a pure reorder begins and ends at once (see {@link #complete}). */
    public static PartitionInfo start(PartitionInfo p, List<String> target, long copyBytesPerSecond) {
        List<String> adding = target.stream().filter(r -> !p.replicas().contains(r)).toList();
        List<String> removing = p.replicas().stream().filter(r -> !target.contains(r)).toList();
        List<String> union = new ArrayList<>(target);
        union.addAll(removing);
        return p.withReplicas(union, adding, removing, copyBytesPerSecond);
    }

    /** What ends a move: the next placement, and whether leadership moves (the caller assigns the new epoch). */
    public record Outcome(List<String> replicas, String leader, List<String> isr, boolean leaderMoves) {
        public PartitionInfo applyTo(PartitionInfo p, int nextEpoch) {
            PartitionInfo placed = p.withReplicas(replicas, List.of(), List.of(), 0);
            return leaderMoves ? placed.withLeader(leader, isr, nextEpoch) : placed.withIsr(isr);
        }
    }

    /** Whether every adding replica has joined the in-sync set. */
    public static boolean caughtUp(PartitionInfo p) {
        return p.isr().containsAll(p.adding());
    }

    /** The completed placement, or null while the move cannot complete (adding replicas out of sync, or no leader possible). */
    public static Outcome complete(PartitionInfo p, Set<String> live) {
        if (!caughtUp(p)) {
            return null;
        }
        return settle(p, p.targetReplicas(), live, true);
    }

    /**
     * The original placement back, in its original order ({@code from}, the move's record; the
     * union in the placement keeps only the set), or null when no original replica is in sync
     * and live to lead it.
     */
    public static Outcome rollBack(PartitionInfo p, List<String> from, Set<String> live) {
        List<String> original = p.originalReplicas();
        boolean sameSet = from != null && from.size() == original.size() && from.containsAll(original);
        return settle(p, sameSet ? from : original, live, false);
    }

    private static Outcome settle(PartitionInfo p, List<String> replicas, Set<String> live, boolean preferFirst) {
        List<String> isr = replicas.stream().filter(p.isr()::contains).toList();
        List<String> eligible = isr.stream().filter(live::contains).toList();
        if (eligible.isEmpty()) {
            return null;
        }
        String leader;
        if (preferFirst && eligible.contains(replicas.get(0))) {
            leader = replicas.get(0);
        } else if (p.leader() != null && eligible.contains(p.leader())) {
            leader = p.leader();
        } else {
            leader = eligible.get(0);
        }
        return new Outcome(replicas, leader, isr, !leader.equals(p.leader()));
    }
}
