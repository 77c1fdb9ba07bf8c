package io.tributary.coordinator.reassignment;

import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.TributaryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.stereotype.Service;

/**
 * {@code POST /api/v1/cluster/nodes/{node}/drain}: moves every replica off a node before it is
 * retired. Each replica goes to the live, non-draining node with the fewest replicas that the
 * partition does not use yet, in the same list position (a drained preferred leader hands that
 * role to its replacement). The node is marked draining, so no new topic is placed on it; it
 * leaves that set when it stops. Asking again is safe: partitions already moving off the node
 * are left alone. Refused (409, nothing changed) when too few nodes would remain for a topic's
 * replication factor, or when a partition is moving onto the node.
 */
@Service
public class NodeDrain {
    private final MetadataStore store;
    private final Reassignments reassignments;

    public NodeDrain(MetadataStore store, Reassignments reassignments) {
        this.store = store;
        this.reassignments = reassignments;
    }

    /** What a drain began: the moves, and how many replicas the node still holds (moving ones included). */
    public record Drain(String node, List<MoveRecord> moves, int replicasHeld) {
    }

    public Drain drain(String node, Long copyBytesPerSecond) {
        Set<String> live = reassignments.liveIds();
        List<TopicInfo> topics = store.topics();
        boolean holds = topics.stream().flatMap(t -> t.assignments().stream()).anyMatch(p -> p.replicas().contains(node));
        if (!live.contains(node) && !holds) {
            throw TributaryException.notFound("storage node '" + node + "' is neither live nor holds a replica");
        }
        Set<String> eligible = new TreeSet<>(live);
        eligible.removeAll(store.draining());
        eligible.remove(node);
        List<MoveRequest.Target> targets = plan(node, topics, eligible);
        List<MoveRecord> started = targets.isEmpty() ? List.of()
                : reassignments.start(new MoveRequest(targets, copyBytesPerSecond), "drain " + node);
        store.setDraining(node, true);
        int held = (int) store.topics().stream().flatMap(t -> t.assignments().stream()).filter(p -> p.replicas().contains(node)).count();
        return new Drain(node, started, held);
    }

    private static List<MoveRequest.Target> plan(String node, List<TopicInfo> topics, Set<String> eligible) {
        Map<String, Integer> load = new TreeMap<>();
        eligible.forEach(n -> load.put(n, 0));
        topics.forEach(t -> t.assignments().forEach(p -> p.targetReplicas().forEach(r -> load.computeIfPresent(r, (n, c) -> c + 1))));
        List<MoveRequest.Target> targets = new ArrayList<>();
        for (TopicInfo t : topics) {
            for (PartitionInfo p : t.assignments()) {
                if (!p.replicas().contains(node)) {
                    continue;
                }
                if (p.isMoving()) {
                    if (p.targetReplicas().contains(node)) {
                        throw TributaryException.conflict(t.key() + "/" + p.partition() + " is moving onto " + node
                                + "; cancel that move before draining it");
                    }
                    continue;
                }
                List<String> replicas = new ArrayList<>(p.replicas());
                String to = RebalancePlanner.emptiest(load, replicas);
                if (to == null) {
                    throw TributaryException.conflict("draining " + node + " leaves " + eligible.size() + " nodes " + eligible
                            + ", too few for topic " + t.key() + " with replication factor " + t.replicationFactor());
                }
                replicas.set(replicas.indexOf(node), to);
                load.merge(to, 1, Integer::sum);
                targets.add(new MoveRequest.Target(t.vhost(), t.name(), p.partition(), replicas));
            }
        }
        return targets;
    }
}
