package io.tributary.coordinator.topic;

import io.tributary.protocol.admin.TopicSpec;

import io.tributary.coordinator.CoordinatorProperties;
import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * Creates and deletes topics. Creation is idempotent, like a RabbitMQ declare: the same
 * settings again answer with the existing topic; different settings are a conflict.
 */
@Service
public class TopicService {
    public static final long DEFAULT_RETENTION_MS = 7L * 24 * 3600 * 1000;
    private static final Set<String> FLUSH_POLICIES = Set.of("replicated", "sync");

    private final MetadataStore store;
    private final CoordinatorProperties props;

    public TopicService(MetadataStore store, CoordinatorProperties props) {
        this.store = store;
        this.props = props;
    }

    /** The outcome of a create: the topic, whether it is new, and the metadata version holding it. */
    public record Created(TopicInfo topic, boolean created, long version) {
    }

    public Created create(String vhost, String name, TopicSpec spec) {
        Names.require("vhost", vhost);
        Names.require("topic", name);
        if (!store.hasVhost(vhost)) {
            throw TributaryException.notFound("vhost '" + vhost + "' does not exist");
        }
        TopicSpec given = spec == null ? new TopicSpec(null, null, null, null, null) : spec;
        // A node being drained takes no new replica.
        Set<String> draining = store.draining();
        List<String> nodes = store.liveNodes().stream().map(NodeInfo::id).filter(n -> !draining.contains(n)).toList();
        TopicSpec s = withDefaults(given, nodes.size());
        validate(s);
        TopicInfo existing = store.topic(vhost, name);
        if (existing != null) {
            if (sameSettings(existing, s, given)) {
                return new Created(existing, false, store.current().version());
            }
            throw TributaryException.conflict("topic '" + name + "' already exists with different settings ("
                    + existing.partitions() + " partitions, replication factor " + existing.replicationFactor()
                    + ", minInSyncReplicas " + existing.minInSyncReplicas() + ", retentionMs " + existing.retentionMs()
                    + ", retentionBytes " + existing.retentionBytes() + ", flush " + existing.flush()
                    + ", uncleanLeaderElection " + existing.uncleanLeaderElection() + ")");
        }
        if (nodes.isEmpty()) {
            throw TributaryException.unavailable("no storage node is live: cannot place partitions");
        }
        if (s.replicationFactor() > nodes.size()) {
            throw TributaryException.invalidArgument("replicationFactor " + s.replicationFactor() + " exceeds the "
                    + nodes.size() + " live storage nodes");
        }
        List<PartitionInfo> placement = ReplicaPlacement.place(s.partitions(), s.replicationFactor(), nodes,
                Math.floorMod(TopicInfo.key(vhost, name).hashCode(), nodes.size()));
        TopicInfo topic = new TopicInfo(vhost, name, UUID.randomUUID().toString(), s.partitions(), s.replicationFactor(),
                s.retentionMs(), s.retentionBytes(), s.flush(), System.currentTimeMillis(), placement, s.minInSyncReplicas(),
                s.uncleanLeaderElection());
        long version = store.putTopic(topic);
        return new Created(topic, true, version);
    }

    public long delete(String vhost, String name) {
        Names.require("vhost", vhost);
        Names.require("topic", name);
        if (!store.hasVhost(vhost)) {
            throw TributaryException.notFound("vhost '" + vhost + "' does not exist");
        }
        if (store.topic(vhost, name) == null) {
            throw TributaryException.notFound("topic '" + name + "' does not exist in vhost '" + vhost + "'");
        }
        return store.deleteTopic(vhost, name);
    }

    /**
     * Kafka's defaults for a durable cluster: three replicas when three storage nodes are live
     * (fewer when fewer are), and two of them in sync for a write to count; one replica
     * needs only itself.
     */
    private static TopicSpec withDefaults(TopicSpec s, int liveNodes) {
        int rf = s.replicationFactor() != null ? s.replicationFactor() : Math.max(1, Math.min(3, liveNodes));
        return new TopicSpec(
                s.partitions() == null ? 1 : s.partitions(),
                rf,
                s.retentionMs() == null ? DEFAULT_RETENTION_MS : s.retentionMs(),
                s.retentionBytes() == null ? -1L : s.retentionBytes(),
                s.flush() == null ? "replicated" : s.flush(),
                s.minInSyncReplicas() != null ? s.minInSyncReplicas() : rf >= 3 ? 2 : 1,
                s.uncleanLeaderElection() != null && s.uncleanLeaderElection());
    }

    private void validate(TopicSpec s) {
        if (s.partitions() < 1 || s.partitions() > props.maxPartitionsPerTopic()) {
            throw TributaryException.invalidArgument("partitions must be between 1 and " + props.maxPartitionsPerTopic()
                    + ", not " + s.partitions());
        }
        if (s.replicationFactor() < 1) {
            throw TributaryException.invalidArgument("replicationFactor must be at least 1, not " + s.replicationFactor());
        }
        if (s.minInSyncReplicas() < 1 || s.minInSyncReplicas() > s.replicationFactor()) {
            throw TributaryException.invalidArgument("minInSyncReplicas must be between 1 and the replicationFactor ("
                    + s.replicationFactor() + "), not " + s.minInSyncReplicas());
        }
        if (s.retentionMs() != -1 && s.retentionMs() < 1) {
            throw TributaryException.invalidArgument("retentionMs must be positive or -1 (forever), not " + s.retentionMs());
        }
        if (s.retentionBytes() != -1 && s.retentionBytes() < 1) {
            throw TributaryException.invalidArgument("retentionBytes must be positive or -1 (no limit), not " + s.retentionBytes());
        }
        if (!FLUSH_POLICIES.contains(s.flush())) {
            throw TributaryException.invalidArgument("flush must be 'replicated' or 'sync', not '" + s.flush() + "'");
        }
    }

    /**
     * The same declaration again. Replication settings left out are not compared: their
     * defaults depend on how many nodes are live, and a redeclare when one is down must still
     * find the topic.
     */
    private static boolean sameSettings(TopicInfo t, TopicSpec s, TopicSpec given) {
        return t.partitions() == s.partitions()
                && (given.replicationFactor() == null || t.replicationFactor() == s.replicationFactor())
                && (given.minInSyncReplicas() == null || t.minInSyncReplicas() == s.minInSyncReplicas())
                && t.retentionMs() == s.retentionMs() && t.retentionBytes() == s.retentionBytes()
                && t.flush().equals(s.flush()) && t.uncleanLeaderElection() == s.uncleanLeaderElection();
    }
}
