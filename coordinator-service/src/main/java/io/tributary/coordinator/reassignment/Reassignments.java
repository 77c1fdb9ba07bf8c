package io.tributary.coordinator.reassignment;

import io.tributary.coordinator.CoordinatorProperties;
import io.tributary.coordinator.leadership.PartitionLeadership;
import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.TributaryException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Starts and cancels partition moves. A request is checked whole before anything changes (an
 * unknown or dead node, a duplicate replica, fewer replicas than {@code minInSyncReplicas} or
 * another count than the replication factor, a partition already moving: a 4xx, nothing
 * changed), then every move in it begins in one fenced metadata write, each with its record.
 * {@link ReassignmentDriver} takes each move from there. Blocks on Redis: call off the event loop.
 */
@Service
public class Reassignments {
    private static final Logger log = LoggerFactory.getLogger(Reassignments.class);

    private final MetadataStore store;
    private final PartitionLeadership leadership;
    private final CoordinatorProperties props;

    public Reassignments(MetadataStore store, PartitionLeadership leadership, CoordinatorProperties props) {
        this.store = store;
        this.leadership = leadership;
        this.props = props;
    }

    /** Begins every move of {@code request}; {@code cause} says what asked (request, drain, rebalance). */
    public List<MoveRecord> start(MoveRequest request, String cause) {
        if (request == null || request.partitions() == null || request.partitions().isEmpty()) {
            throw TributaryException.invalidArgument("a reassignment names at least one partition: {\"partitions\":[{\"vhost\","
                    + "\"topic\",\"partition\",\"replicas\":[...]}]}");
        }
        long rate = request.copyBytesPerSecond() == null ? props.reassignment().copyBytesPerSecond().toBytes()
                : request.copyBytesPerSecond();
        if (rate < 0) {
            throw TributaryException.invalidArgument("copyBytesPerSecond must be 0 (no cap) or positive, not " + rate);
        }
        return leadership.exclusively(() -> begin(request.partitions(), rate, cause));
    }

    private List<MoveRecord> begin(List<MoveRequest.Target> targets, long rate, String cause) {
        Set<String> live = liveIds();
        Set<String> seen = new HashSet<>();
        Map<String, TopicInfo> changed = new LinkedHashMap<>();
        List<MoveRecord> records = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (MoveRequest.Target target : targets) {
            TopicInfo checked = check(target, live);
            TopicInfo t = changed.getOrDefault(checked.key(), checked);
            if (!seen.add(target.key())) {
                throw TributaryException.invalidArgument("partition " + target.key() + " appears twice in one reassignment");
            }
            PartitionInfo p = t.partition(target.partition());
            PartitionInfo next = PartitionMove.start(p, target.replicas(), rate);
            MoveRecord record = MoveRecord.started(t.vhost(), t.name(), p.partition(), p.replicas(), target.replicas(), cause, rate, now);
            if (!next.isMoving()) {
                // Only the order changed: nothing to copy, so the preferred leader takes over now.
                PartitionMove.Outcome reorder = PartitionMove.complete(next, live);
                if (reorder != null) {
                    next = reorder.applyTo(next, reorder.leaderMoves() ? leadership.nextEpoch(t, p) : p.leaderEpoch());
                }
                record = record.finished(MoveRecord.COMPLETED, null, now);
            }
            changed.put(t.key(), t.withPartition(next));
            records.add(record);
        }
        store.putPlacement(List.copyOf(changed.values()), records, List.of());
        records.forEach(r -> log.info("move of {} begins: {} -> {} ({}, copy cap {} B/s)", r.partitionKey(), r.from(), r.to(), cause,
                r.copyBytesPerSecond()));
        return records;
    }

    /** The target's topic, once the target is known to be a valid move for it. */
    private TopicInfo check(MoveRequest.Target target, Set<String> live) {
        if (target.vhost() == null || target.topic() == null || target.partition() == null || target.replicas() == null) {
            throw TributaryException.invalidArgument("each partition of a reassignment names vhost, topic, partition and replicas");
        }
        TopicInfo t = store.topic(target.vhost(), target.topic());
        if (t == null) {
            throw TributaryException.notFound("topic '" + target.topic() + "' does not exist in vhost '" + target.vhost() + "'");
        }
        if (target.partition() < 0 || target.partition() >= t.partitions()) {
            throw TributaryException.notFound("partition " + target.partition() + " does not exist: topic '" + t.name()
                    + "' has partitions 0 to " + (t.partitions() - 1));
        }
        List<String> replicas = target.replicas();
        if (new HashSet<>(replicas).size() != replicas.size()) {
            throw TributaryException.invalidArgument("replica list " + replicas + " of " + target.key() + " names a node twice");
        }
        if (replicas.size() < t.minInSyncReplicas()) {
            throw TributaryException.invalidArgument(target.key() + " needs at least minInSyncReplicas (" + t.minInSyncReplicas()
                    + ") replicas, not " + replicas.size());
        }
        if (replicas.size() != t.replicationFactor()) {
            throw TributaryException.invalidArgument(target.key() + " keeps its replication factor (" + t.replicationFactor()
                    + "): a move names that many replicas, not " + replicas.size());
        }
        Set<String> draining = store.draining();
        PartitionInfo p = t.partition(target.partition());
        for (String r : replicas) {
            if (!live.contains(r) && !p.replicas().contains(r)) {
                throw TributaryException.invalidArgument(r + " is not a live storage node (live: " + new java.util.TreeSet<>(live) + ")");
            }
            if (!p.replicas().contains(r) && draining.contains(r)) {
                throw TributaryException.invalidArgument(r + " is being drained: it takes no new replica");
            }
        }
        if (p.isMoving()) {
            throw TributaryException.conflict(target.key() + " is already moving (" + p.originalReplicas() + " -> "
                    + p.targetReplicas() + "); wait for it, or cancel it first");
        }
        return t;
    }

    /**
     * Rolls back the move of one partition now: its original replicas again (an original in-sync
     * replica leads if a new one did). 409 when it is not moving or no original replica could lead.
     */
    public MoveRecord cancel(String vhost, String topic, int partition) {
        return leadership.exclusively(() -> {
            TopicInfo t = store.topic(vhost, topic);
            PartitionInfo p = t == null || partition < 0 || partition >= t.partitions() ? null : t.partition(partition);
            if (p == null) {
                throw TributaryException.notFound("partition " + vhost + "/" + topic + "/" + partition + " does not exist");
            }
            if (!p.isMoving()) {
                throw TributaryException.conflict(vhost + "/" + topic + "/" + partition + " is not moving");
            }
            MoveRecord done = finish(t, p, PartitionMove.rollBack(p, startedFrom(t, p), liveIds()), MoveRecord.ROLLED_BACK, "cancelled");
            if (done == null) {
                throw TributaryException.conflict("no original replica of " + vhost + "/" + topic + "/" + partition
                        + " is in sync and live to lead it: the move cannot be rolled back now");
            }
            return done;
        });
    }

    /**
     * Ends a move with {@code outcome} (completion or rollback), recording how; null when the
     * outcome is null (it cannot end yet). Call inside {@link PartitionLeadership#exclusively}.
     */
    MoveRecord finish(TopicInfo t, PartitionInfo p, PartitionMove.Outcome outcome, String state, String reason) {
        if (outcome == null) {
            return null;
        }
        int epoch = outcome.leaderMoves() ? leadership.nextEpoch(t, p) : p.leaderEpoch();
        PartitionInfo next = outcome.applyTo(p, epoch);
        String key = t.vhost() + "/" + t.name() + "/" + p.partition();
        MoveRecord record = current(t, p).finished(state, reason, System.currentTimeMillis());
        store.putPlacement(List.of(t.withPartition(next)), List.of(record), oldHistory());
        log.info("move of {} {}{}: replicas {}, leader {} in epoch {}", key, state, reason == null ? "" : " (" + reason + ")",
                next.replicas(), next.leader(), next.leaderEpoch());
        return record;
    }

    /** The record of the move in progress on {@code p} (one made up if it was lost). */
    private MoveRecord current(TopicInfo t, PartitionInfo p) {
        String key = t.vhost() + "/" + t.name() + "/" + p.partition();
        return store.moves().stream().filter(m -> m.inProgress() && m.partitionKey().equals(key)).reduce((a, b) -> b)
                .orElse(MoveRecord.started(t.vhost(), t.name(), p.partition(), p.originalReplicas(), p.targetReplicas(), "unknown",
                        p.copyBytesPerSecond(), System.currentTimeMillis()));
    }

    /** The replica list {@code p} had when its move began, in its order. */
    List<String> startedFrom(TopicInfo t, PartitionInfo p) {
        return current(t, p).from();
    }

    /** Finished records past the newest {@code history} ones, to forget. */
    private List<String> oldHistory() {
        List<MoveRecord> finished = store.moves().stream().filter(m -> !m.inProgress())
                .sorted(java.util.Comparator.comparingLong(MoveRecord::startedAt).reversed()).toList();
        int keep = props.reassignment().history();
        return finished.size() <= keep ? List.of() : finished.subList(keep, finished.size()).stream().map(MoveRecord::id).toList();
    }

    Set<String> liveIds() {
        return store.liveNodes().stream().map(NodeInfo::id).collect(Collectors.toSet());
    }
}
