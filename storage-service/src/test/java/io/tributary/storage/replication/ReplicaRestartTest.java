package io.tributary.storage.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionId;
import io.tributary.storage.partition.PartitionSettings;
import io.tributary.storage.segment.SegmentConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * A new replica of a partition whose leader's retention deleted the head starts its log at the
 * leader's log start, and keeps starting there after a restart; a stale copy is dropped whole.
 */
class ReplicaRestartTest {
    private final FileCache files = new FileCache(8);
    private final PartitionSettings settings = new PartitionSettings(new SegmentConfig(1 << 20, 3_600_000, 4096), files, 600_000, 1000,
            Schedulers.immediate());

    @Test
    void aReplicaStartsAtItsLeadersLogStartAndKeepsItsOffsets() throws Exception {
        Path dir = Files.createTempDirectory("restart");
        PartitionId id = new PartitionId("v", "t", "id", 0);
        try (Partition stale = new Partition(id, dir, settings)) {
            stale.append(batch(5, "old"), 1, false).block(Duration.ofSeconds(5)); // offsets 0-4 of an old copy
        }
        try (Partition p = new Partition(id, dir, settings)) {
            p.restartAt(1000);
            p.appendReplicated(leaderBatch(1000, 3, 4, "new"), false).block(Duration.ofSeconds(5));
            assertThat(p.log().startOffset()).isEqualTo(1000);
            assertThat(p.log().endOffset()).isEqualTo(1004);
        }
        try (Partition reopened = new Partition(id, dir, settings)) {
            assertThat(reopened.log().startOffset()).isEqualTo(1000);
            assertThat(reopened.log().endOffset()).isEqualTo(1004);
            assertThat(reopened.latestEpoch()).isEqualTo(3);
            assertThat(reopened.endOffsetFor(1)).as("the old copy's epoch is forgotten").isEqualTo(new LeaderEpochCache.EpochEnd(-1, 1000));
            RecordBatch first = RecordBatch.split(reopened.log().read(1000, 1 << 20).toBuffer()).get(0);
            assertThat(first.baseOffset()).isEqualTo(1000);
            assertThat(new String(first.records().iterator().next().payload(), StandardCharsets.UTF_8)).isEqualTo("new0");
        }
    }

    private static ByteBuffer batch(int n, String prefix) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        for (int i = 0; i < n; i++) {
            b.add(RecordCodec.encode(new Record(-1, 1, 0, 0, null, null, null, Map.of(), (prefix + i).getBytes(StandardCharsets.UTF_8),
                    false)));
        }
        return b.build();
    }

    /** A batch as the leader stored it: at {@code base}, written in {@code epoch}. */
    private static ByteBuffer leaderBatch(long base, int epoch, int n, String prefix) {
        ByteBuffer bytes = batch(n, prefix);
        RecordBatch b = RecordBatch.split(bytes.duplicate()).get(0);
        b.setBaseOffset(base);
        b.setLeaderEpoch(epoch);
        return b.buffer();
    }
}
