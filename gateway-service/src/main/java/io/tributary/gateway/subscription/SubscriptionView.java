package io.tributary.gateway.subscription;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tributary.protocol.metadata.GroupMembers;
import io.tributary.protocol.metadata.StartPosition;
import io.tributary.protocol.metadata.SubscriptionInfo;
import java.util.List;
import java.util.Map;

/**
 * A subscription as the public API shows it: its settings, its live members, the group's
 * generation and whether a rebalance is still taking effect (some member has not yet acted
 * on the current generation's assignment), and per partition the committed position (next
 * offset to read), the end a consumer can read to (the high watermark) and the lag between them;
 * with a dead letter topic, how many messages it holds ({@code deadLetterMessages}); with a
 * single active consumer, the member that receives ({@code activeMember}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SubscriptionView(
        String vhost,
        String topic,
        String name,
        String type,
        StartPosition startAt,
        String filter,
        Long ackTimeoutMs,
        Integer maxDeliveries,
        String deadLetterTopic,
        List<String> members,
        long generation,
        boolean rebalancing,
        List<PartitionLag> partitions,
        Long deadLetterMessages,
        Boolean singleActiveConsumer,
        String activeMember) {

    /**
     * One partition: the subscription's committed position and lag; for a broadcast
     * subscription also each consumer's ({@code consumers}), since every consumer has its own;
     * for a shared one the messages delivered and not acked ({@code unacked}), and how many of
     * those a consumer holds now ({@code inFlight}; the others are due for redelivery).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PartitionLag(int partition, Long committedOffset, Long endOffset, Long lag, String error,
            Map<String, ConsumerLag> consumers, Long unacked, Long inFlight) {

        public PartitionLag(int partition, Long committedOffset, Long endOffset, Long lag, String error) {
            this(partition, committedOffset, endOffset, lag, error, null, null, null);
        }
    }

    /** A broadcast consumer's position on one partition. */
    public record ConsumerLag(long committedOffset, long lag) {
    }

    /** Redelivery settings are shown only for the types that redeliver single messages (shared, key_shared). */
    static SubscriptionView of(SubscriptionInfo s, GroupMembers group, List<PartitionLag> partitions, Long deadLetterMessages) {
        boolean redelivers = s.type().equals("shared") || s.type().equals("key_shared");
        return new SubscriptionView(s.vhost(), s.topic(), s.name(), s.type(), s.startAt(), s.filter(),
                redelivers ? s.ackTimeoutMs() : null, redelivers ? s.maxDeliveries() : null, s.deadLetterTopic(), group.ids(),
                group.generation(), group.rebalancing(), partitions, deadLetterMessages,
                s.singleActiveConsumer() ? true : null, s.singleActiveConsumer() ? group.active() : null);
    }
}
