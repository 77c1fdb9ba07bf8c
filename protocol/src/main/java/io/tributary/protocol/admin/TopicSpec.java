package io.tributary.protocol.admin;

/**
 * The body of a topic creation. Every member is optional; the coordinator's TopicService
 * fills the defaults (1 partition; replication factor 3 when at least three storage nodes are
 * live, else as many as are; {@code minInSyncReplicas} 2 for three replicas or more, else 1;
 * 7 days; no byte limit; flush {@code replicated}; no unclean leader election).
 */
public record TopicSpec(
        Integer partitions,
        Integer replicationFactor,
        Long retentionMs,
        Long retentionBytes,
        String flush,
        Integer minInSyncReplicas,
        Boolean uncleanLeaderElection) {

    public TopicSpec(Integer partitions, Integer replicationFactor, Long retentionMs, Long retentionBytes, String flush) {
        this(partitions, replicationFactor, retentionMs, retentionBytes, flush, null, null);
    }
}
