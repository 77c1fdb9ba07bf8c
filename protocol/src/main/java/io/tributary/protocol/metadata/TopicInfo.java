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
 * @param minInSyncReplicas how many replicas (the leader included) must be in sync for an
 *     {@code acks=all} write to be taken, and for the high watermark to advance
 * @param uncleanLeaderElection whether a replica outside the in-sync set may lead when none in it is live
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
        List<PartitionInfo> assignments,
        Integer minInSyncReplicas,
        Boolean uncleanLeaderElection) {

    public TopicInfo {
        assignments = List.copyOf(assignments);
        // topics stored before these fields existed: one replica had to be in sync, no unclean election
        minInSyncReplicas = minInSyncReplicas == null ? 1 : Math.max(1, minInSyncReplicas);
        uncleanLeaderElection = uncleanLeaderElection != null && uncleanLeaderElection;
    }

    public TopicInfo(String vhost, String name, String id, int partitions, int replicationFactor, long retentionMs,
            long retentionBytes, String flush, long createdAt, List<PartitionInfo> assignments) {
        this(vhost, name, id, partitions, replicationFactor, retentionMs, retentionBytes, flush, createdAt, assignments, 1, false);
    }

    /** This topic with partition {@code p} placed as {@code placed}. */
    public TopicInfo withPartition(PartitionInfo placed) {
        List<PartitionInfo> all = new java.util.ArrayList<>(assignments);
        all.set(placed.partition(), placed);
        return new TopicInfo(vhost, name, id, partitions, replicationFactor, retentionMs, retentionBytes, flush, createdAt, all,
                minInSyncReplicas, uncleanLeaderElection);
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
