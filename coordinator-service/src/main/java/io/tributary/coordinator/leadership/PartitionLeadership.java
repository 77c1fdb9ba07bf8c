package io.tributary.coordinator.leadership;

import io.tributary.coordinator.lease.ControllerLeaseKeeper;
import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.cluster.InternalWebClients;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * The controller's part in replication: who leads each partition and who is in sync.
 * <ul>
 *   <li>When the live nodes change ({@link #reconcile}): a partition whose leader is gone gets
 *       a new leader from its in-sync set (replica order, so the preferred leader first), or,
 *       if the topic allows unclean election, from any live replica; with none it is offline
 *       (no leader) until one returns. A dead replica leaves the in-sync set at once, so the
 *       high watermark does not wait for it.</li>
 *   <li>A node that restarted after a crash (a new incarnation in its lease with
 *       {@code cleanStart: false}) leaves every in-sync set it is in, unless it is the last
 *       member: its unflushed tail may be gone, so it must catch up before it can lead or
 *       count for acks=all again (KIP-966). Its leader re-adds it once it has.</li>
 *   <li>A new leader epoch is above the stored one and above every epoch a live replica
 *       reports having accepted (Redis may have lost the last write; replicas have not).</li>
 *   <li>A leader proposes in-sync set changes ({@link #alterIsr}, Kafka's AlterPartition);
 *       they are taken only from the current leader in the current epoch.</li>
 * </ul>
 * Acts only while this coordinator is the active controller. Blocks on Redis and on replicas.
 */
@Service
public class PartitionLeadership {
    private static final Logger log = LoggerFactory.getLogger(PartitionLeadership.class);
    private static final Duration ASK_REPLICA = Duration.ofSeconds(2);

    private final MetadataStore store;
    private final ControllerLeaseKeeper lease;
    private final InternalWebClients clients;
    private final ReplicationMetrics metrics;
    /** The incarnation each node had when last seen live (this controller's terms only). */
    private final Map<String, Long> incarnations = new java.util.HashMap<>();

    public PartitionLeadership(MetadataStore store, ControllerLeaseKeeper lease, InternalWebClients clients, ReplicationMetrics metrics) {
        this.store = store;
        this.lease = lease;
        this.clients = clients;
        this.metrics = metrics;
    }

    /** Elects leaders and trims in-sync sets for the live nodes {@code live}. */
    public synchronized void reconcile(List<NodeInfo> live) {
        if (!lease.isActive() || !store.isLoaded()) {
            return;
        }
        Map<String, NodeInfo> byId = live.stream().collect(Collectors.toMap(NodeInfo::id, n -> n));
        Set<String> crashed = crashedAndBack(live);
        List<TopicInfo> changed = new ArrayList<>();
        List<PartitionInfo[]> moves = new ArrayList<>();
        for (TopicInfo t : store.topics()) {
            TopicInfo updated = t;
            for (PartitionInfo p : t.assignments()) {
                PartitionInfo next = reconcile(t, p, byId, crashed);
                if (!next.equals(p)) {
                    updated = updated.withPartition(next);
                    moves.add(new PartitionInfo[] {p, next});
                }
            }
            if (updated != t) {
                changed.add(updated);
            }
        }
        if (!changed.isEmpty()) {
            store.putTopics(changed);
            for (PartitionInfo[] move : moves) {
                if (move[1].leader() != null && move[1].leaderEpoch() != move[0].leaderEpoch()) {
                    metrics.elected();
                }
                metrics.isrChanged(move[0].isr().size(), move[1].isr().size());
            }
        }
    }

    /** Nodes seen before that are back with a new incarnation after an unclean end of the last one. */
    private Set<String> crashedAndBack(List<NodeInfo> live) {
        Set<String> crashed = new java.util.HashSet<>();
        for (NodeInfo n : live) {
            Long before = incarnations.put(n.id(), n.incarnation());
            if (before != null && n.incarnation() != null && !before.equals(n.incarnation()) && n.restartedUnclean()) {
                log.warn("{} restarted after a crash: out of every in-sync set until it catches up", n.id());
                crashed.add(n.id());
            }
        }
        return crashed;
    }

    private PartitionInfo reconcile(TopicInfo t, PartitionInfo p, Map<String, NodeInfo> live, Set<String> crashed) {
        Set<String> up = live.keySet();
        List<String> liveIsr = p.isr().stream().filter(up::contains).toList();
        if (liveIsr.stream().anyMatch(crashed::contains) && liveIsr.stream().anyMatch(r -> !crashed.contains(r))) {
            liveIsr = liveIsr.stream().filter(r -> !crashed.contains(r)).toList();
        }
        if (p.leader() != null && !liveIsr.contains(p.leader()) && up.contains(p.leader())) {
            up = up.stream().filter(n -> !n.equals(p.leader())).collect(Collectors.toSet());
        }
        if (p.leader() != null && up.contains(p.leader())) {
            return liveIsr.equals(p.isr()) ? p : p.withIsr(liveIsr);
        }
        String leader = p.replicas().stream().filter(liveIsr::contains).findFirst().orElse(null);
        List<String> isr = liveIsr;
        boolean unclean = false;
        if (leader == null && t.uncleanLeaderElection()) {
            leader = p.replicas().stream().filter(up::contains).findFirst().orElse(null);
            isr = leader == null ? p.isr() : List.of(leader);
            unclean = leader != null;
        }
        if (leader == null) {
            if (p.leader() != null) {
                log.error("{}/{}: no in-sync replica of {} is live; the partition is offline until one returns",
                        t.key(), p.partition(), p.isr());
            }
            return p.leader() == null ? p : p.withLeader(null, p.isr(), p.leaderEpoch());
        }
        int epoch = nextEpoch(t, p, live);
        log.warn("{}/{}: {} leads in epoch {} (was {}{})", t.key(), p.partition(), leader, epoch, p.leader(),
                unclean ? ", unclean: it may lack acknowledged writes" : "");
        return p.withLeader(leader, isr, epoch);
    }

    /**
     * Runs a placement change (a partition move's steps) under the same monitor as elections
     * and in-sync set changes: each reads the stored placement and writes a new one, and two
     * at once would lose one's write.
     */
    public synchronized <T> T exclusively(java.util.function.Supplier<T> change) {
        return change.get();
    }

    /** A new leader epoch for a controlled leader change of {@code p}: above the stored one and every one a live replica reports. */
    public synchronized int nextEpoch(TopicInfo t, PartitionInfo p) {
        return nextEpoch(t, p, store.liveNodes().stream().collect(Collectors.toMap(NodeInfo::id, n -> n)));
    }

    /** Above the stored epoch and every epoch a live replica reports. */
    private int nextEpoch(TopicInfo t, PartitionInfo p, Map<String, NodeInfo> live) {
        int highest = p.leaderEpoch();
        for (String r : p.replicas()) {
            NodeInfo node = live.get(r);
            if (node == null) {
                continue;
            }
            try {
                JsonNode state = clients.forUrl(node.url()).get()
                        .uri("/internal/partitions/{vhost}/{topic}/{partition}/replica-state", t.vhost(), t.name(), p.partition())
                        .retrieve().bodyToMono(JsonNode.class).block(ASK_REPLICA);
                if (state != null) {
                    highest = Math.max(highest, state.path("latestEpoch").asInt(-1));
                }
            } catch (RuntimeException e) {
                log.debug("cannot ask {} for its epoch of {}/{}: {}", r, t.key(), p.partition(), e.toString());
            }
        }
        return highest + 1;
    }

    /** A leader's proposed in-sync set; refused unless it comes from the current leader in the current epoch. */
    public synchronized long alterIsr(String vhost, String topic, int partition, String leader, int leaderEpoch, List<String> isr) {
        lease.requireActive();
        TopicInfo t = store.topic(vhost, topic);
        if (t == null || partition < 0 || partition >= t.partitions()) {
            throw TributaryException.notFound("partition " + vhost + "/" + topic + "/" + partition + " does not exist");
        }
        PartitionInfo p = t.partition(partition);
        if (!leader.equals(p.leader()) || leaderEpoch != p.leaderEpoch()) {
            throw new TributaryException(ProblemType.NOT_LEADER, leader + " in epoch " + leaderEpoch + " does not lead "
                    + t.key() + "/" + partition + " (" + p.leader() + " does, in epoch " + p.leaderEpoch() + ")", null, null);
        }
        if (!isr.contains(leader) || !p.replicas().containsAll(isr)) {
            throw TributaryException.invalidArgument("an in-sync set holds the leader and replicas only: " + isr);
        }
        Set<String> live = store.liveNodes().stream().map(NodeInfo::id).collect(Collectors.toSet());
        List<String> ordered = p.replicas().stream().filter(isr::contains).filter(r -> r.equals(leader) || live.contains(r)).toList();
        if (ordered.equals(p.isr())) {
            return store.current().version();
        }
        log.info("{}/{}: in-sync set {} -> {} (leader {}, epoch {})", t.key(), partition, p.isr(), ordered, leader, leaderEpoch);
        long version = store.putTopics(List.of(t.withPartition(p.withIsr(ordered))));
        metrics.isrChanged(p.isr().size(), ordered.size());
        return version;
    }
}
