package io.tributary.coordinator.subscription;

import io.tributary.protocol.admin.SubscriptionSpec;
import io.tributary.protocol.filter.TagFilter;

import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.metadata.StartPosition;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.stereotype.Service;

/**
 * Declares subscriptions. Like a RabbitMQ queue declare: the same settings again are a no-op,
 * different settings a conflict.
 */
@Service
public class SubscriptionService {
    public static final Set<String> TYPES = Set.of("group", "shared", "key_shared", "broadcast");
    /** The types that commit positions rather than ack single messages. */
    static final Set<String> POSITION_TYPES = Set.of("group", "broadcast");
    public static final long DEFAULT_ACK_TIMEOUT_MS = 30_000;
    /** The types whose consumers can take turns (single active consumer). */
    static final Set<String> SINGLE_ACTIVE_TYPES = Set.of("group", "shared");

    private final MetadataStore store;

    public SubscriptionService(MetadataStore store) {
        this.store = store;
    }

    public record Declared(SubscriptionInfo subscription, boolean created, long version) {
    }

    public Declared declare(String vhost, String topic, String name, SubscriptionSpec spec) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Names.require("subscription", name);
        TopicInfo t = requireTopic(vhost, topic);
        SubscriptionSpec s = spec == null ? new SubscriptionSpec(null, null, null, null, null, null, null) : spec;
        String type = s.type() == null ? "group" : s.type();
        if (!TYPES.contains(type)) {
            throw TributaryException.invalidArgument("type must be one of group, shared, key_shared, broadcast; not '" + type + "'");
        }
        StartPosition startAt = s.startAt() == null ? StartPosition.latest() : s.startAt();
        validateStart(startAt, t);
        TagFilter filter = TagFilter.parse(s.filter());
        if (POSITION_TYPES.contains(type)) {
            // Group and broadcast consumers commit positions; they do not redeliver single messages:
            // these belong to shared subscriptions, and would otherwise be stored unused.
            if (s.ackTimeoutMs() != null || (s.maxDeliveries() != null && s.maxDeliveries() != 0) || s.deadLetterTopic() != null) {
                throw TributaryException.invalidArgument("ackTimeoutMs, maxDeliveries and deadLetterTopic apply to shared "
                        + "subscriptions, not to a " + type + " subscription, which commits positions");
            }
        }
        long ackTimeout = s.ackTimeoutMs() == null ? DEFAULT_ACK_TIMEOUT_MS : s.ackTimeoutMs();
        if (ackTimeout < 1) {
            throw TributaryException.invalidArgument("ackTimeoutMs must be positive, not " + ackTimeout);
        }
        int maxDeliveries = s.maxDeliveries() == null ? 0 : s.maxDeliveries();
        if (maxDeliveries < 0) {
            throw TributaryException.invalidArgument("maxDeliveries must be 0 (unlimited) or more, not " + maxDeliveries);
        }
        if (s.deadLetterTopic() != null) {
            Names.require("deadLetterTopic", s.deadLetterTopic());
            if (s.deadLetterTopic().equals(topic)) {
                throw TributaryException.invalidArgument("deadLetterTopic must be another topic than '" + topic
                        + "': its dead letters would come back to the subscription that gave up on them");
            }
            if (store.topic(vhost, s.deadLetterTopic()) == null) {
                throw TributaryException.invalidArgument("deadLetterTopic '" + s.deadLetterTopic() + "' does not exist in vhost '"
                        + vhost + "'; create it first");
            }
        }
        if (maxDeliveries > 0 && s.deadLetterTopic() == null) {
            throw TributaryException.invalidArgument("maxDeliveries needs a deadLetterTopic: where a message goes after "
                    + maxDeliveries + " deliveries");
        }
        boolean singleActive = Boolean.TRUE.equals(s.singleActiveConsumer());
        if (singleActive && !SINGLE_ACTIVE_TYPES.contains(type)) {
            throw TributaryException.invalidArgument("singleActiveConsumer applies to group and shared subscriptions; every "
                    + "consumer of a " + type + " subscription receives everything");
        }
        SubscriptionInfo wanted = new SubscriptionInfo(vhost, topic, name, type, startAt,
                filter.takesAll() ? null : filter.expression(), ackTimeout,
                maxDeliveries, s.deadLetterTopic(), System.currentTimeMillis(), singleActive);
        SubscriptionInfo existing = store.subscription(vhost, topic, name);
        if (existing != null) {
            if (sameSettings(existing, wanted)) {
                return new Declared(existing, false, store.current().version());
            }
            throw TributaryException.conflict("subscription '" + name + "' already exists with different settings");
        }
        return new Declared(wanted, true, store.putSubscription(wanted));
    }

    public long delete(String vhost, String topic, String name) {
        requireTopic(vhost, topic);
        if (store.subscription(vhost, topic, name) == null) {
            throw TributaryException.notFound("subscription '" + name + "' does not exist on topic '" + topic + "'");
        }
        return store.deleteSubscription(vhost, topic, name);
    }

    private TopicInfo requireTopic(String vhost, String topic) {
        if (!store.hasVhost(vhost)) {
            throw TributaryException.notFound("vhost '" + vhost + "' does not exist");
        }
        TopicInfo t = store.topic(vhost, topic);
        if (t == null) {
            throw TributaryException.notFound("topic '" + topic + "' does not exist in vhost '" + vhost + "'");
        }
        return t;
    }

    static void validateStart(StartPosition p, TopicInfo topic) {
        int set = (p.position() != null ? 1 : 0) + (p.timestamp() != null ? 1 : 0) + (p.offset() != null ? 1 : 0)
                + (p.offsets() != null ? 1 : 0);
        if (set != 1) {
            throw TributaryException.invalidArgument("a start position names exactly one of position, timestamp, offset, offsets");
        }
        if (p.position() != null && !p.position().equals(StartPosition.EARLIEST) && !p.position().equals(StartPosition.LATEST)) {
            throw TributaryException.invalidArgument("position must be 'earliest' or 'latest', not '" + p.position() + "'");
        }
        if (p.timestamp() != null && p.timestamp() < 0) {
            throw TributaryException.invalidArgument("timestamp must not be negative");
        }
        if (p.offset() != null && p.offset() < 0) {
            throw TributaryException.invalidArgument("offset must not be negative");
        }
        if (p.offsets() != null) {
            for (Map.Entry<String, Long> e : p.offsets().entrySet()) {
                int partition;
                try {
                    partition = Integer.parseInt(e.getKey());
                } catch (NumberFormatException nfe) {
                    throw TributaryException.invalidArgument("offsets keys are partition numbers, not '" + e.getKey() + "'");
                }
                if (partition < 0 || partition >= topic.partitions()) {
                    throw TributaryException.notFound("partition " + partition + " does not exist on topic '" + topic.name() + "'");
                }
                if (e.getValue() == null || e.getValue() < 0) {
                    throw TributaryException.invalidArgument("offset for partition " + partition + " must not be negative");
                }
            }
        }
    }

    private static boolean sameSettings(SubscriptionInfo a, SubscriptionInfo b) {
        return a.type().equals(b.type()) && Objects.equals(a.startAt(), b.startAt()) && Objects.equals(a.filter(), b.filter())
                && a.ackTimeoutMs() == b.ackTimeoutMs() && a.maxDeliveries() == b.maxDeliveries()
                && Objects.equals(a.deadLetterTopic(), b.deadLetterTopic()) && a.singleActiveConsumer() == b.singleActiveConsumer();
    }
}
