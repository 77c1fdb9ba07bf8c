package io.tributary.storage;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** {@code tributary.storage.*}: see application.yml for what each one means. */
@ConfigurationProperties("tributary.storage")
public record StorageProperties(
        String nodeId,
        Path dataDir,
        String advertisedUrl,
        Duration leaseTtl,
        Duration flushInterval,
        DataSize maxBatchBytes,
        DataSize maxFetchBytes,
        int diskThreads,
        DataSize segmentBytes,
        Duration segmentAge,
        int indexIntervalBytes,
        int maxOpenFiles,
        Duration retentionCheckInterval,
        Duration dedupWindow,
        int dedupMaxIdsPerPartition,
        Duration replicationWait,
        Duration replicaLagMax,
        Duration replicaFetchWait,
        Duration removedReplicaGrace) {
}
