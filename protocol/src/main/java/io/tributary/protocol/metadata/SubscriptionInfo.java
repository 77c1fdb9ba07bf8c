package io.tributary.protocol.metadata;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A named subscription on a topic.
 *
 * @param type group, shared, key_shared or broadcast
 * @param filter a tag filter ({@code TagA || TagB}, {@code *}), or null for everything
 * @param singleActiveConsumer group and shared: one member at a time receives (the one that
 *        joined first among the live members), the others wait to take over (RabbitMQ's
 *        single active consumer)
 */
public record SubscriptionInfo(
        String vhost,
        String topic,
        String name,
        String type,
        StartPosition startAt,
        String filter,
        long ackTimeoutMs,
        int maxDeliveries,
        String deadLetterTopic,
        long createdAt,
        boolean singleActiveConsumer) {

    @JsonIgnore
    public String key() {
        return key(vhost, topic, name);
    }

    public static String key(String vhost, String topic, String name) {
        return vhost + "/" + topic + "/" + name;
    }
}
