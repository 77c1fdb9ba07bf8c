package io.tributary.storage.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;

import io.tributary.storage.TestBatches;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.log.AppendResult;
import io.tributary.storage.segment.SegmentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Idempotent publish and the sync flush policy, on a real partition directory. */
class PartitionTest {
    Scheduler disk;
    FileCache files;
    PartitionSettings settings;
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        disk = Schedulers.newBoundedElastic(4, 1000, "test-disk");
        files = new FileCache(16);
        settings = new PartitionSettings(new SegmentConfig(4096, 3_600_000, 512), files, 600_000, 1000, disk);
        dir = Files.createTempDirectory("part");
    }

    @AfterEach
    void tearDown() {
        files.close();
        disk.dispose();
    }

    Partition open() {
        return new Partition(new PartitionId("v", "t", "id", 0), dir, settings);
    }

    AppendResult append(Partition p, boolean sync, io.tributary.protocol.record.Record... records) {
        return p.append(TestBatches.batchOf(records), 1, sync).block(Duration.ofSeconds(10));
    }

    @Test
    void aRetriedPublishIsStoredOnceAndAnsweredWithTheOriginalOffsets() {
        long now = System.currentTimeMillis();
        try (Partition p = open()) {
            append(p, false, TestBatches.record("x", now, "first", null));
            AppendResult a = append(p, false, TestBatches.record("k", now, "one", "id-1"), TestBatches.record("k", now, "two", "id-2"));
            assertThat(a.baseOffset()).isEqualTo(1);
            assertThat(a.offsets()).isNull();
            // The retry carries the same two ids, plus a new one; one id twice in the same batch.
            AppendResult retry = append(p, false, TestBatches.record("k", now, "one", "id-1"),
                    TestBatches.record("k", now, "three", "id-3"), TestBatches.record("k", now, "two", "id-2"),
                    TestBatches.record("k", now, "three again", "id-3"));
            assertThat(retry.offsets()).containsExactly(1L, 3L, 2L, 3L);
            assertThat(p.log().endOffset()).isEqualTo(4);
            AppendResult allRetries = append(p, false, TestBatches.record("k", now, "two", "id-2"));
            assertThat(allRetries.offsets()).containsExactly(2L);
            assertThat(p.log().endOffset()).isEqualTo(4);
        }
        try (Partition p = open()) { // the window survives a restart: rebuilt from the log
            AppendResult retry = append(p, false, TestBatches.record("k", now, "one", "id-1"), TestBatches.record("k", now, "four", "id-4"));
            assertThat(retry.offsets()).containsExactly(1L, 4L);
            assertThat(p.log().endOffset()).isEqualTo(5);
        }
    }

    @Test
    void idsOlderThanTheWindowAreStoredAgain() {
        long old = System.currentTimeMillis() - 3_600_000;
        try (Partition p = open()) {
            append(p, false, TestBatches.record("k", old, "one", "id-1"));
            AppendResult again = append(p, false, TestBatches.record("k", old, "one", "id-1"));
            assertThat(again.offsets()).isNull();
            assertThat(again.baseOffset()).isEqualTo(1);
        }
    }

    @Test
    void syncAppendsAreAcknowledgedAfterAnFsync() {
        try (Partition p = open()) {
            long before = p.commits().fsyncCount();
            append(p, true, TestBatches.record("k", 1, "durable", null));
            assertThat(p.commits().fsyncCount()).isGreaterThan(before);
            long afterSync = p.commits().fsyncCount();
            append(p, false, TestBatches.record("k", 1, "relaxed", null));
            assertThat(p.commits().fsyncCount()).isEqualTo(afterSync);
        }
    }

    @Test
    void noRecordWithAnIdIsDroppedWithoutAnAnswer() {
        try (Partition p = open()) {
            AppendResult r = append(p, false, TestBatches.record("k", System.currentTimeMillis(), "a", "same"),
                    TestBatches.record("k", System.currentTimeMillis(), "b", "same"));
            assertThat(r.offsets()).containsExactly(0L, 0L);
            assertThat(List.of(p.log().endOffset())).containsExactly(1L);
        }
    }

    AppendResult appendFrom(Partition p, long producer, int sequence, io.tributary.protocol.record.Record... records) {
        return p.append(TestBatches.producerBatch(producer, sequence, records), 1, false).block(Duration.ofSeconds(10));
    }

    @Test
    void aBatchResentByItsProducerIsStoredOnceEvenAcrossARestart() {
        long now = System.currentTimeMillis();
        try (Partition p = open()) {
            AppendResult first = appendFrom(p, 42, 0, TestBatches.record(null, now, "a", null), TestBatches.record(null, now, "b", null));
            AppendResult again = appendFrom(p, 42, 0, TestBatches.record(null, now, "a", null), TestBatches.record(null, now, "b", null));
            assertThat(again.baseOffset()).isEqualTo(first.baseOffset());
            assertThat(again.lastOffset()).isEqualTo(first.lastOffset());
            appendFrom(p, 42, 1, TestBatches.record(null, now, "c", null));
            assertThat(p.log().endOffset()).isEqualTo(3);
        }
        try (Partition p = open()) { // rebuilt from the batch headers in the log tail
            AppendResult again = appendFrom(p, 42, 1, TestBatches.record(null, now, "c", null));
            assertThat(again.baseOffset()).isEqualTo(2);
            assertThat(p.log().endOffset()).isEqualTo(3);
            assertThatThrownBy(() -> appendFrom(p, 42, 5, TestBatches.record(null, now, "gap", null)))
                    .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.type()).isEqualTo(ProblemType.OUT_OF_ORDER_SEQUENCE));
            assertThat(p.log().endOffset()).as("nothing of a refused batch is stored").isEqualTo(3);
            appendFrom(p, 42, 2, TestBatches.record(null, now, "d", null));
            assertThat(p.log().endOffset()).isEqualTo(4);
        }
    }

    @Test
    void aResentBatchWhoseIdsWereRepeatsGetsTheSameAnswerAfterARestart() {
        long now = System.currentTimeMillis();
        List<Long> original;
        try (Partition p = open()) {
            appendFrom(p, 9, 0, TestBatches.record("k", now, "one", "id-1"));
            // id-1 again (skipped as a repeat), a new id-2, a record without id, id-2 once more in the batch
            original = appendFrom(p, 9, 1, TestBatches.record("k", now, "one", "id-1"), TestBatches.record("k", now, "two", "id-2"),
                    TestBatches.record(null, now, "x", null), TestBatches.record("k", now, "two", "id-2")).offsets();
            assertThat(original).containsExactly(0L, 1L, 2L, 1L);
        }
        try (Partition p = open()) {
            AppendResult again = appendFrom(p, 9, 1, TestBatches.record("k", now, "one", "id-1"), TestBatches.record("k", now, "two", "id-2"),
                    TestBatches.record(null, now, "x", null), TestBatches.record("k", now, "two", "id-2"));
            assertThat(again.offsets()).isEqualTo(original);
            assertThat(p.log().endOffset()).isEqualTo(3);
        }
    }

    @Test
    void aReopenedReplicaShowsWhatWasConfirmedButNeverMoreThanItsLog() throws Exception {
        long now = System.currentTimeMillis();
        try (Partition p = open()) {
            p.lead("s1", 1, List.of("s1"), 1);
            append(p, false, TestBatches.record("k", now, "one", null), TestBatches.record("k", now, "two", null));
            p.lead("s1", 1, List.of("s1"), 1); // the in-sync set (the leader alone) confirms both
            assertThat(p.highWatermark().value()).isEqualTo(2);
            append(p, false, TestBatches.record("k", now, "unconfirmed", null));
        }
        try (Partition p = open()) {
            assertThat(p.highWatermark().value()).as("restored from the checkpoint").isEqualTo(2);
            assertThat(p.readVisible(0, 1 << 20).isEmpty()).as("consumers see the confirmed records at once").isFalse();
        }
        Files.writeString(dir.resolve(io.tributary.storage.replication.HighWatermarkCheckpoint.FILE_NAME), "99\n");
        try (Partition p = open()) {
            assertThat(p.highWatermark().value()).as("clamped to the log end").isEqualTo(3);
        }
        Files.writeString(dir.resolve(io.tributary.storage.replication.HighWatermarkCheckpoint.FILE_NAME), "9");
        Files.write(dir.resolve(io.tributary.storage.replication.HighWatermarkCheckpoint.FILE_NAME), new byte[] {'x', 0});
        try (Partition p = open()) {
            assertThat(p.highWatermark().value()).as("a torn checkpoint counts for nothing").isZero();
        }
    }
}
