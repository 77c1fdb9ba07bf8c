package io.tributary.protocol.admin;

import io.tributary.protocol.metadata.StartPosition;

/** The body of a subscription declaration (startAt already normalized by the gateway). */
public record SubscriptionSpec(
        String type,
        StartPosition startAt,
        String filter,
        Long ackTimeoutMs,
        Integer maxDeliveries,
        String deadLetterTopic,
        Boolean singleActiveConsumer) {
}
