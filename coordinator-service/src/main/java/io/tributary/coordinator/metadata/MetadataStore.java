package io.tributary.coordinator.metadata;

import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.metadata.ClusterMetadata;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cluster metadata: Redis is the record, this class keeps the active controller's copy
 * and publishes every new version. Each change is written to Redis first and then bumps
 * {@code metadata:version} there, so a coordinator that restarts (or takes over) loads a
 * state and a version at least as new as anything it served before.
 *
 * <p>Methods block on Redis and are serialized by the monitor: call them from a worker
 * thread, never from an event loop.
 */
@Component
public class MetadataStore {
    public static final String DEFAULT_VHOST = "default";

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final JsonMapper json;
    private final Sinks.Many<ClusterMetadata> changes = Sinks.many().replay().latest();

    private final Set<String> vhosts = new TreeSet<>();
    private final Map<String, TopicInfo> topics = new TreeMap<>();
    private final Map<String, SubscriptionInfo> subscriptions = new TreeMap<>();
    private List<NodeInfo> liveNodes = List.of();
    private String controller = "";
    private volatile ClusterMetadata current;

    public MetadataStore(StringRedisTemplate redis, RedisKeys keys, JsonMapper json) {
        this.redis = redis;
        this.keys = keys;
        this.json = json;
    }

    /** Loads everything from Redis (on becoming the active controller); creates vhost {@code default}. */
    public synchronized void load(String controllerId) {
        controller = controllerId;
        redis.opsForSet().add(keys.vhosts(), DEFAULT_VHOST);
        vhosts.clear();
        vhosts.addAll(redis.opsForSet().members(keys.vhosts()));
        topics.clear();
        redis.<String, String>opsForHash().entries(keys.topics())
                .forEach((k, v) -> topics.put(k, json.readValue(v, TopicInfo.class)));
        subscriptions.clear();
        redis.<String, String>opsForHash().entries(keys.subscriptions())
                .forEach((k, v) -> subscriptions.put(k, json.readValue(v, SubscriptionInfo.class)));
        bumpAndPublish();
    }

    public boolean isLoaded() {
        return current != null;
    }

    public ClusterMetadata current() {
        return current;
    }

    /**
     * The snapshot once its version differs from {@code after}, or the current one when
     * {@code wait} passes first (the caller's long poll).
     */
    public Mono<ClusterMetadata> awaitChange(long after, Duration wait) {
        return changes.asFlux()
                .filter(m -> m.version() != after)
                .next()
                .timeout(wait, Mono.fromSupplier(() -> current))
                .switchIfEmpty(Mono.fromSupplier(() -> current));
    }

    public synchronized boolean hasVhost(String vhost) {
        return vhosts.contains(vhost);
    }

    public synchronized TopicInfo topic(String vhost, String name) {
        return topics.get(TopicInfo.key(vhost, name));
    }

    public synchronized SubscriptionInfo subscription(String vhost, String topic, String name) {
        return subscriptions.get(SubscriptionInfo.key(vhost, topic, name));
    }

    public synchronized List<NodeInfo> liveNodes() {
        return liveNodes;
    }

    /** Adds a vhost; returns the new metadata version, or the current one if it existed. */
    public synchronized long putVhost(String vhost) {
        if (vhosts.contains(vhost)) {
            return current.version();
        }
        redis.opsForSet().add(keys.vhosts(), vhost);
        vhosts.add(vhost);
        return bumpAndPublish();
    }

    public synchronized long putTopic(TopicInfo topic) {
        redis.opsForHash().put(keys.topics(), topic.key(), json.writeValueAsString(topic));
        topics.put(topic.key(), topic);
        return bumpAndPublish();
    }

    /** Removes a topic and every subscription on it. */
    public synchronized long deleteTopic(String vhost, String name) {
        String prefix = TopicInfo.key(vhost, name) + "/";
        List<String> subKeys = subscriptions.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
        if (!subKeys.isEmpty()) {
            redis.opsForHash().delete(keys.subscriptions(), subKeys.toArray());
            subKeys.forEach(subscriptions::remove);
        }
        redis.opsForHash().delete(keys.topics(), TopicInfo.key(vhost, name));
        topics.remove(TopicInfo.key(vhost, name));
        return bumpAndPublish();
    }

    public synchronized long putSubscription(SubscriptionInfo sub) {
        redis.opsForHash().put(keys.subscriptions(), sub.key(), json.writeValueAsString(sub));
        subscriptions.put(sub.key(), sub);
        return bumpAndPublish();
    }

    public synchronized long deleteSubscription(String vhost, String topic, String name) {
        String key = SubscriptionInfo.key(vhost, topic, name);
        redis.opsForHash().delete(keys.subscriptions(), key);
        subscriptions.remove(key);
        return bumpAndPublish();
    }

    /** Called by the node registry when the set of live storage nodes changes. */
    public synchronized void setLiveNodes(List<NodeInfo> nodes) {
        if (nodes.equals(liveNodes)) {
            return;
        }
        liveNodes = List.copyOf(nodes);
        if (current != null) {
            bumpAndPublish();
        }
    }

    private long bumpAndPublish() {
        Long version = redis.opsForValue().increment(keys.metadataVersion());
        current = new ClusterMetadata(version == null ? 0 : version, controller, liveNodes, new ArrayList<>(vhosts),
                new ArrayList<>(topics.values()), new ArrayList<>(subscriptions.values()));
        changes.emitNext(current, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        return current.version();
    }
}
