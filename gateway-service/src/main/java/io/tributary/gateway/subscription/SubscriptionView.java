package io.tributary.gateway.subscription;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tributary.protocol.metadata.StartPosition;
import io.tributary.protocol.metadata.SubscriptionInfo;
import java.util.List;

/**
 * A subscription as the public API shows it: its settings, its live members, and per
 * partition the committed position (next offset to read), the log end and the lag between them.
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
        List<PartitionLag> partitions) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PartitionLag(int partition, Long committedOffset, Long endOffset, Long lag, String error) {
    }

    static SubscriptionView of(SubscriptionInfo s, List<String> members, List<PartitionLag> partitions) {
        return new SubscriptionView(s.vhost(), s.topic(), s.name(), s.type(), s.startAt(), s.filter(), s.ackTimeoutMs(),
                s.maxDeliveries(), s.deadLetterTopic(), members, partitions);
    }
}
