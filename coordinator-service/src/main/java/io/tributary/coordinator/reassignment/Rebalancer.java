package io.tributary.coordinator.reassignment;

import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.stereotype.Service;

/**
 * {@code POST /api/v1/cluster/rebalance?dryRun=}: plans (see {@link RebalancePlanner}) replica
 * lists that spread replicas and preferred leaders evenly over the live, non-draining nodes,
 * shows the plan with the per-node counts before and after, and with {@code dryRun=false}
 * starts it as one reassignment. It may be scoped to a vhost or one topic: only those
 * partitions are counted and moved. A move that only reorders a list copies nothing: it completes
 * at once and hands leadership to the new first replica.
 */
@Service
public class Rebalancer {
    private final MetadataStore store;
    private final Reassignments reassignments;

    public Rebalancer(MetadataStore store, Reassignments reassignments) {
        this.store = store;
        this.reassignments = reassignments;
    }

    /** One planned partition move; {@code copies} counts the new replicas that must copy the log. */
    public record PlannedMove(String vhost, String topic, int partition, List<String> from, List<String> to, int copies) {
    }

    /** The plan, the counts it changes, and (when applied) the moves begun. */
    public record Plan(boolean dryRun, List<PlannedMove> moves, Map<String, Integer> replicasBefore, Map<String, Integer> replicasAfter,
            Map<String, Integer> leadersBefore, Map<String, Integer> leadersAfter, List<MoveRecord> started) {
    }

    /**
     * @param vhost with {@code topic}, the scope: only these partitions are counted and moved
     *     (null: every topic), as Kafka's reassignment tool plans for a list of topics
     */
    public Plan rebalance(boolean dryRun, Long copyBytesPerSecond, String vhost, String topic) {
        if (topic != null && vhost == null) {
            throw io.tributary.protocol.problem.TributaryException.invalidArgument("a rebalance scoped to a topic names its vhost too");
        }
        Set<String> nodes = new TreeSet<>(reassignments.liveIds());
        nodes.removeAll(store.draining());
        List<String> targets = List.copyOf(nodes);
        Map<String, List<String>> placements = new TreeMap<>();
        Map<String, MoveRequest.Target> refs = new TreeMap<>();
        Set<String> fixed = new HashSet<>();
        for (TopicInfo t : store.topics()) {
            if ((vhost != null && !t.vhost().equals(vhost)) || (topic != null && !t.name().equals(topic))) {
                continue;
            }
            for (PartitionInfo p : t.assignments()) {
                String key = t.key() + "/" + p.partition();
                placements.put(key, p.targetReplicas());
                refs.put(key, new MoveRequest.Target(t.vhost(), t.name(), p.partition(), p.targetReplicas()));
                if (p.isMoving()) {
                    fixed.add(key);
                }
            }
        }
        Map<String, List<String>> changed = RebalancePlanner.plan(placements, fixed, targets);
        Map<String, List<String>> after = new TreeMap<>(placements);
        after.putAll(changed);
        List<PlannedMove> moves = new ArrayList<>();
        List<MoveRequest.Target> request = new ArrayList<>();
        changed.forEach((key, to) -> {
            MoveRequest.Target ref = refs.get(key);
            List<String> from = placements.get(key);
            moves.add(new PlannedMove(ref.vhost(), ref.topic(), ref.partition(), from, to,
                    (int) to.stream().filter(r -> !from.contains(r)).count()));
            request.add(new MoveRequest.Target(ref.vhost(), ref.topic(), ref.partition(), to));
        });
        List<MoveRecord> started = dryRun || request.isEmpty() ? List.of()
                : reassignments.start(new MoveRequest(request, copyBytesPerSecond), "rebalance");
        return new Plan(dryRun, moves, counts(placements, targets, false), counts(after, targets, false),
                counts(placements, targets, true), counts(after, targets, true), started);
    }

    private static Map<String, Integer> counts(Map<String, List<String>> placements, List<String> targets, boolean leaders) {
        return new LinkedHashMap<>(RebalancePlanner.counts(placements, targets, leaders));
    }
}
