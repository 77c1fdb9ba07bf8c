package io.tributary.gateway.topic;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tributary.protocol.metadata.TopicInfo;
import java.util.List;
import java.util.Map;

/**
 * A topic as the public API shows it: its settings, and per partition the placement
 * (leader, leader epoch, replicas, in-sync set) and the log bounds. {@code startOffset} is
 * the first retained offset, {@code endOffset} the next offset the leader will write,
 * {@code highWatermark} the end consumers can read to (every in-sync replica has it), and
 * {@code replicaLogEndOffsets} each replica's own log end as its node reports it (a replica
 * whose node did not answer is missing). Offsets are null with {@code error} when the
 * partition's leader could not be asked.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TopicView(
        String vhost,
        String name,
        String id,
        int partitionCount,
        int replicationFactor,
        int minInSyncReplicas,
        boolean uncleanLeaderElection,
        long retentionMs,
        long retentionBytes,
        String flush,
        long createdAt,
        List<PartitionView> partitions) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PartitionView(
            int partition,
            String leader,
            List<String> replicas,
            List<String> isr,
            int leaderEpoch,
            Long startOffset,
            Long endOffset,
            Long highWatermark,
            Map<String, Long> replicaLogEndOffsets,
            Long sizeBytes,
            String error) {
    }

    static TopicView of(TopicInfo t, List<PartitionView> partitions) {
        return new TopicView(t.vhost(), t.name(), t.id(), t.partitions(), t.replicationFactor(), t.minInSyncReplicas(),
                t.uncleanLeaderElection(), t.retentionMs(),
                t.retentionBytes(), t.flush(), t.createdAt(), partitions);
    }
}
