package io.tributary.storage.partition;

import io.tributary.storage.files.FileCache;
import io.tributary.storage.segment.SegmentConfig;
import reactor.core.scheduler.Scheduler;

/** What every partition of a node shares: segment settings, the file cache, the dedup window, the disk scheduler. */
public record PartitionSettings(SegmentConfig segments, FileCache files, long dedupWindowMs, int dedupMaxEntries, Scheduler disk) {
}
