package io.tributary.protocol.metadata;

import java.util.List;

/**
 * The coordinator's metadata snapshot, as served to the other services by
 * {@code GET /internal/metadata}. {@code version} grows with every change (a Redis counter,
 * so it survives coordinator restarts).
 *
 * @param controller the active controller (a coordinator id) that served it
 * @param controllerEpoch that controller's fencing epoch (its term)
 * @param nodes the live storage nodes
 * @param draining live nodes being drained: no new replica is placed on them, and a drain moves
 *     every replica they hold elsewhere (see the coordinator's {@code reassignment} package)
 */
public record ClusterMetadata(
        long version,
        String controller,
        long controllerEpoch,
        List<NodeInfo> nodes,
        List<String> vhosts,
        List<TopicInfo> topics,
        List<SubscriptionInfo> subscriptions,
        List<String> draining) {

    public ClusterMetadata {
        draining = draining == null ? List.of() : List.copyOf(draining);
        nodes = List.copyOf(nodes);
        vhosts = List.copyOf(vhosts);
        topics = List.copyOf(topics);
        subscriptions = List.copyOf(subscriptions);
    }

    public ClusterMetadata(long version, String controller, long controllerEpoch, List<NodeInfo> nodes, List<String> vhosts,
            List<TopicInfo> topics, List<SubscriptionInfo> subscriptions) {
        this(version, controller, controllerEpoch, nodes, vhosts, topics, subscriptions, List.of());
    }
}
