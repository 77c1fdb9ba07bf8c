package io.tributary.storage.partition;

import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;

/**
 * A partition this node leads, with the leader epoch it leads it in (written into appended
 * batches), its placement (replicas, in-sync set) and its topic's settings (flush policy,
 * minInSyncReplicas) as the metadata has them now.
 */
public record LedPartition(Partition partition, int leaderEpoch, TopicInfo topic, PartitionInfo placement) {
    public boolean syncFlush() {
        return "sync".equals(topic.flush());
    }
}
