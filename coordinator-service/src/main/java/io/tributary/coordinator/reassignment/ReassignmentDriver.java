package io.tributary.coordinator.reassignment;

import io.tributary.coordinator.CoordinatorProperties;
import io.tributary.coordinator.lease.ControllerLeaseKeeper;
import io.tributary.coordinator.leadership.PartitionLeadership;
import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Takes every move forward, on each poll of the node registry (so at the same pace as elections):
 * a move whose new replicas are all in sync completes; one whose new replica's node has not been
 * live for {@code abandon-after} rolls back. Its state lives in the placements it reads, so a
 * controller that takes over mid-move simply carries on (the time a node has been away counts
 * from when this controller first saw it away). A drained node leaves the draining set once it
 * is no longer live.
 */
@Component
public class ReassignmentDriver {
    private static final Logger log = LoggerFactory.getLogger(ReassignmentDriver.class);

    private final MetadataStore store;
    private final ControllerLeaseKeeper lease;
    private final PartitionLeadership leadership;
    private final Reassignments reassignments;
    private final CoordinatorProperties props;
    /** When this controller first saw each absent node of a move away. */
    private final Map<String, Long> awaySince = new HashMap<>();

    public ReassignmentDriver(MetadataStore store, ControllerLeaseKeeper lease, PartitionLeadership leadership,
            Reassignments reassignments, CoordinatorProperties props) {
        this.store = store;
        this.lease = lease;
        this.leadership = leadership;
        this.reassignments = reassignments;
        this.props = props;
    }

    /** One step for every moving partition, given the live nodes {@code live}. */
    public void advance(List<NodeInfo> live) {
        if (!lease.isActive() || !store.isLoaded()) {
            awaySince.clear();
            return;
        }
        Set<String> up = live.stream().map(NodeInfo::id).collect(Collectors.toSet());
        long now = System.currentTimeMillis();
        awaySince.keySet().retainAll(movingNodesAway(up));
        for (TopicInfo t : store.topics()) {
            for (PartitionInfo p : t.assignments()) {
                if (p.isMoving()) {
                    leadership.exclusively(() -> step(t.vhost(), t.name(), p.partition(), up, now));
                }
            }
        }
        for (String node : store.draining()) {
            if (!up.contains(node)) {
                log.info("{} is no longer live: its drain ends", node);
                store.setDraining(node, false);
            }
        }
    }

    private Set<String> movingNodesAway(Set<String> up) {
        return store.topics().stream().flatMap(t -> t.assignments().stream()).filter(PartitionInfo::isMoving)
                .flatMap(p -> p.adding().stream()).filter(n -> !up.contains(n)).collect(Collectors.toSet());
    }

    /** Re-reads the partition under the placement monitor (an election may just have changed it) and steps it. */
    private MoveRecord step(String vhost, String topic, int partition, Set<String> up, long now) {
        TopicInfo t = store.topic(vhost, topic);
        if (t == null || !t.partition(partition).isMoving()) {
            return null;
        }
        PartitionInfo p = t.partition(partition);
        PartitionMove.Outcome done = PartitionMove.complete(p, up);
        if (done != null) {
            return reassignments.finish(t, p, done, MoveRecord.COMPLETED, null);
        }
        for (String node : p.adding()) {
            if (up.contains(node)) {
                continue;
            }
            long since = awaySince.computeIfAbsent(node, n -> now);
            if (now - since >= props.reassignment().abandonAfter().toMillis()) {
                String why = node + " was not live for " + props.reassignment().abandonAfter().toSeconds() + " s";
                MoveRecord back = reassignments.finish(t, p, PartitionMove.rollBack(p, reassignments.startedFrom(t, p), up), MoveRecord.ROLLED_BACK, why);
                if (back == null) {
                    log.warn("move of {}/{}/{} cannot roll back ({}): no original replica is in sync and live", vhost, topic,
                            partition, why);
                }
                return back;
            }
        }
        return null;
    }
}
