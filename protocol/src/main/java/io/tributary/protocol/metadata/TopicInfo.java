package io.tributary.protocol.metadata;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * A topic as the coordinator placed it. {@code id} is unique per creation, so a topic that
 * is deleted and created again under the same name never picks up the old data.
 *
 * @param retentionMs how long records are kept, -1 = forever
 * @param retentionBytes how many bytes a partition keeps, -1 = no limit
 * @param flush {@code replicated} (fsync on an interval) or {@code sync} (fsync before ack)
 */
public record TopicInfo(
        String vhost,
        String name,
        String id,
        int partitions,
        int replicationFactor,
        long retentionMs,
        long retentionBytes,
        String flush,
        long createdAt,
        List<PartitionInfo> assignments) {

    public TopicInfo {
        assignments = List.copyOf(assignments);
    }

    @JsonIgnore
    public String key() {
        return key(vhost, name);
    }

    public static String key(String vhost, String topic) {
        return vhost + "/" + topic;
    }

    public PartitionInfo partition(int p) {
        return assignments.get(p);
    }
}
