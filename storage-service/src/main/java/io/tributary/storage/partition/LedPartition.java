package io.tributary.storage.partition;

/** A partition this node leads, with the leader epoch it leads it in (written into appended batches). */
public record LedPartition(Partition partition, int leaderEpoch) {
}
