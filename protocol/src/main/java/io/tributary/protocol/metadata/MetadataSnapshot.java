package io.tributary.protocol.metadata;

import io.tributary.protocol.problem.TributaryException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@link ClusterMetadata} indexed for the lookups every request makes. Immutable. */
public final class MetadataSnapshot {
    private final ClusterMetadata metadata;
    private final Map<String, NodeInfo> nodes;
    private final Map<String, TopicInfo> topics;
    private final Map<String, SubscriptionInfo> subscriptions;

    public MetadataSnapshot(ClusterMetadata metadata) {
        this.metadata = metadata;
        this.nodes = metadata.nodes().stream().collect(Collectors.toUnmodifiableMap(NodeInfo::id, Function.identity()));
        this.topics = metadata.topics().stream().collect(Collectors.toUnmodifiableMap(TopicInfo::key, Function.identity()));
        this.subscriptions = metadata.subscriptions().stream()
                .collect(Collectors.toUnmodifiableMap(SubscriptionInfo::key, Function.identity()));
    }

    public ClusterMetadata metadata() {
        return metadata;
    }

    public long version() {
        return metadata.version();
    }

    public boolean hasVhost(String vhost) {
        return metadata.vhosts().contains(vhost);
    }

    public Optional<TopicInfo> topic(String vhost, String topic) {
        return Optional.ofNullable(topics.get(TopicInfo.key(vhost, topic)));
    }

    public Optional<NodeInfo> node(String id) {
        return Optional.ofNullable(nodes.get(id));
    }

    public Optional<SubscriptionInfo> subscription(String vhost, String topic, String name) {
        return Optional.ofNullable(subscriptions.get(SubscriptionInfo.key(vhost, topic, name)));
    }

    /** The topic, or {@code not-found} naming whichever of vhost and topic is missing. */
    public TopicInfo requireTopic(String vhost, String topic) {
        requireVhost(vhost);
        return topic(vhost, topic).orElseThrow(() ->
                TributaryException.notFound("topic '" + topic + "' does not exist in vhost '" + vhost + "'"));
    }

    public void requireVhost(String vhost) {
        if (!hasVhost(vhost)) {
            throw TributaryException.notFound("vhost '" + vhost + "' does not exist");
        }
    }

    public PartitionInfo requirePartition(TopicInfo topic, int partition) {
        if (partition < 0 || partition >= topic.partitions()) {
            throw TributaryException.notFound("partition " + partition + " does not exist: topic '" + topic.name()
                    + "' has partitions 0 to " + (topic.partitions() - 1));
        }
        return topic.partition(partition);
    }

    /** The URL of the partition's leader, or {@code unavailable} if that node is not live. */
    public String leaderUrl(PartitionInfo partition) {
        NodeInfo node = partition.leader() == null ? null : nodes.get(partition.leader());
        if (node == null) {
            throw TributaryException.unavailable("the leader of partition " + partition.partition() + " ("
                    + partition.leader() + ") is not live");
        }
        return node.url();
    }
}
