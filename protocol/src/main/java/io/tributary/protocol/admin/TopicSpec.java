package io.tributary.protocol.admin;

/**
 * The body of a topic creation. Every member is optional; {@link TopicService} fills the
 * defaults (1 partition, replication factor 1, 7 days, no byte limit, flush
 * {@code replicated}).
 */
public record TopicSpec(
        Integer partitions,
        Integer replicationFactor,
        Long retentionMs,
        Long retentionBytes,
        String flush) {
}
