package io.tributary.coordinator.metadata;

import io.tributary.coordinator.reassignment.MoveRecord;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.metadata.ClusterMetadata;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.TributaryException;
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
 * and publishes every new version. Each change is written to Redis first, fenced by the
 * controller's lease and epoch and bumping {@code metadata:version} in the same script (see
 * {@link FencedWrite}), so a deposed controller cannot write, and a coordinator that restarts
 * (or takes over) loads a state and a version at least as new as anything served before.
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
    private final Map<String, MoveRecord> moves = new TreeMap<>();
    private final Set<String> draining = new TreeSet<>();
    private List<NodeInfo> liveNodes = List.of();
    private String controller = "";
    private long controllerEpoch;
    private volatile ClusterMetadata current;

    public MetadataStore(StringRedisTemplate redis, RedisKeys keys, JsonMapper json) {
        this.redis = redis;
        this.keys = keys;
        this.json = json;
    }

    /**
     * Loads everything from Redis on becoming the active controller for the term with
     * {@code epoch}; creates vhost {@code default}. Every later write is fenced by this term.
     */
    public synchronized void load(String controllerId, long epoch) {
        controller = controllerId;
        controllerEpoch = epoch;
        long version = write().sadd(keys.vhosts(), DEFAULT_VHOST).apply(redis);
        vhosts.clear();
        vhosts.addAll(redis.opsForSet().members(keys.vhosts()));
        topics.clear();
        redis.<String, String>opsForHash().entries(keys.topics())
                .forEach((k, v) -> topics.put(k, json.readValue(v, TopicInfo.class)));
        subscriptions.clear();
        redis.<String, String>opsForHash().entries(keys.subscriptions())
                .forEach((k, v) -> subscriptions.put(k, json.readValue(v, SubscriptionInfo.class)));
        moves.clear();
        redis.<String, String>opsForHash().entries(keys.reassignments())
                .forEach((k, v) -> moves.put(k, json.readValue(v, MoveRecord.class)));
        draining.clear();
        draining.addAll(redis.opsForSet().members(keys.draining()));
        publish(version);
    }

    /** The controller epoch of the term this copy was loaded for. */
    public synchronized long controllerEpoch() {
        return controllerEpoch;
    }

    private FencedWrite write() {
        return FencedWrite.by(keys, controller, controllerEpoch);
    }

    /** On losing the controller lease: this copy is no longer served or written until the next {@link #load}. */
    public synchronized void unload() {
        current = null;
    }

    public boolean isLoaded() {
        return current != null;
    }

    /** The newest snapshot; {@code unavailable} while this coordinator is not the loaded, active controller. */
    public ClusterMetadata current() {
        ClusterMetadata m = current;
        if (m == null) {
            throw TributaryException.unavailable("this coordinator is not the active controller");
        }
        return m;
    }

    /**
     * The snapshot once its version differs from {@code after}, or the current one when
     * {@code wait} passes first (the caller's long poll).
     */
    public Mono<ClusterMetadata> awaitChange(long after, Duration wait) {
        return changes.asFlux()
                .filter(m -> m.version() != after)
                .next()
                .timeout(wait, Mono.fromSupplier(this::current))
                .switchIfEmpty(Mono.fromSupplier(this::current));
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
        long version = write().sadd(keys.vhosts(), vhost).apply(redis);
        vhosts.add(vhost);
        return publish(version);
    }

    /** Every topic, as this controller holds them. */
    public synchronized List<TopicInfo> topics() {
        return List.copyOf(topics.values());
    }

    /** Stores several changed topics (leaders, in-sync sets) as one metadata change. */
    public synchronized long putTopics(List<TopicInfo> changed) {
        if (changed.isEmpty()) {
            return current.version();
        }
        FencedWrite write = write();
        changed.forEach(t -> write.hset(keys.topics(), t.key(), json.writeValueAsString(t)));
        long version = write.apply(redis);
        changed.forEach(t -> topics.put(t.key(), t));
        return publish(version);
    }

    /**
     * Stores placement changes together with the move records that describe them, and forgets
     * the records {@code forget} names (old history), as one metadata change.
     */
    public synchronized long putPlacement(List<TopicInfo> changed, List<MoveRecord> records, List<String> forget) {
        FencedWrite write = write();
        changed.forEach(t -> write.hset(keys.topics(), t.key(), json.writeValueAsString(t)));
        records.forEach(r -> write.hset(keys.reassignments(), r.id(), json.writeValueAsString(r)));
        forget.forEach(id -> write.hdel(keys.reassignments(), id));
        long version = write.apply(redis);
        changed.forEach(t -> topics.put(t.key(), t));
        records.forEach(r -> moves.put(r.id(), r));
        forget.forEach(moves::remove);
        return publish(version);
    }

    /** Every move record, by id (ids sort by partition, then start time). */
    public synchronized List<MoveRecord> moves() {
        return List.copyOf(moves.values());
    }

    /** The nodes being drained. */
    public synchronized Set<String> draining() {
        return Set.copyOf(draining);
    }

    /** Marks {@code node} as draining (true) or not; returns the metadata version. */
    public synchronized long setDraining(String node, boolean on) {
        if (draining.contains(node) == on) {
            return current.version();
        }
        FencedWrite write = write();
        long version = (on ? write.sadd(keys.draining(), node) : write.srem(keys.draining(), node)).apply(redis);
        if (on) {
            draining.add(node);
        } else {
            draining.remove(node);
        }
        return publish(version);
    }

    public synchronized long putTopic(TopicInfo topic) {
        long version = write().hset(keys.topics(), topic.key(), json.writeValueAsString(topic)).apply(redis);
        topics.put(topic.key(), topic);
        return publish(version);
    }

    /** Removes a topic and every subscription on it. */
    public synchronized long deleteTopic(String vhost, String name) {
        String prefix = TopicInfo.key(vhost, name) + "/";
        List<String> subKeys = subscriptions.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
        FencedWrite write = write();
        subKeys.forEach(k -> write.hdel(keys.subscriptions(), k));
        long version = write.hdel(keys.topics(), TopicInfo.key(vhost, name)).apply(redis);
        subKeys.forEach(subscriptions::remove);
        topics.remove(TopicInfo.key(vhost, name));
        return publish(version);
    }

    public synchronized long putSubscription(SubscriptionInfo sub) {
        long version = write().hset(keys.subscriptions(), sub.key(), json.writeValueAsString(sub)).apply(redis);
        subscriptions.put(sub.key(), sub);
        return publish(version);
    }

    public synchronized long deleteSubscription(String vhost, String topic, String name) {
        String key = SubscriptionInfo.key(vhost, topic, name);
        long version = write().hdel(keys.subscriptions(), key).apply(redis);
        subscriptions.remove(key);
        return publish(version);
    }

    /** Called by the node registry when the set of live storage nodes changes (a new version, nothing else stored). */
    public synchronized void setLiveNodes(List<NodeInfo> nodes) {
        if (nodes.equals(liveNodes)) {
            return;
        }
        if (current != null) {
            long version = write().apply(redis);
            liveNodes = List.copyOf(nodes);
            publish(version);
        } else {
            liveNodes = List.copyOf(nodes);
        }
    }

    private long publish(long version) {
        current = new ClusterMetadata(version, controller, controllerEpoch, liveNodes, new ArrayList<>(vhosts),
                new ArrayList<>(topics.values()), new ArrayList<>(subscriptions.values()), new ArrayList<>(draining));
        changes.emitNext(current, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        return current.version();
    }
}
