package io.tributary.gateway.subscription;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tributary.protocol.metadata.GroupMembers;
import io.tributary.protocol.metadata.StartPosition;
import io.tributary.protocol.metadata.SubscriptionInfo;
import java.util.List;

/**
 * A subscription as the public API shows it: its settings, its live members, the group's
 * generation and whether a rebalance is still taking effect (some member has not yet acted
 * on the current generation's assignment), and per partition the committed position (next
 * offset to read), the end a consumer can read to (the high watermark) and the lag between them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SubscriptionView(
        String vhost,
        String topic,
        String name,
        String type,
        StartPosition startAt,
        String filter,
        long ackTimeoutMs,
        int maxDeliveries,
        String deadLetterTopic,
        List<String> members,
        long generation,
        boolean rebalancing,
        List<PartitionLag> partitions) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PartitionLag(int partition, Long committedOffset, Long endOffset, Long lag, String error) {
    }

    static SubscriptionView of(SubscriptionInfo s, GroupMembers group, List<PartitionLag> partitions) {
        return new SubscriptionView(s.vhost(), s.topic(), s.name(), s.type(), s.startAt(), s.filter(), s.ackTimeoutMs(),
                s.maxDeliveries(), s.deadLetterTopic(), group.ids(), group.generation(), group.rebalancing(), partitions);
    }
}
