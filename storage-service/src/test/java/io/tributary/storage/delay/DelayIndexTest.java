package io.tributary.storage.delay;

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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The delay index against a model of the log: a delayed record is pending until the log
 * holds its released copy, through releases, follower cuts (which can remove a release, so
 * the record is pending again), checkpoints and reopening; and the log never ends up with two
 * released copies of one record.
 */
class DelayIndexTest {
    /** What the model knows of each offset: a plain record, a delayed one (due at), or a release (of origin). */
    private record Entry(char kind, long value) {
    }

    @Property(tries = 80)
    void theIndexIsWhatTheLogSaysThroughReleasesCutsCheckpointsAndRestarts(
            @ForAll @Size(max = 120) List<@IntRange(min = 0, max = 99) Integer> ops) throws IOException {
        Disk d = Disk.of(2048, 256);
        Path dir = d.dir();
        PartitionSettings settings = d.settings();
        List<Entry> model = new ArrayList<>();
        List<Long> batchStarts = new ArrayList<>();
        Partition p = open(dir, settings);
        try {
            for (int op : ops) {
                switch (op % 6) {
                    case 0, 1 -> {
                        int n = 1 + op % 3;
                        RecordBatchBuilder b = new RecordBatchBuilder();
                        batchStarts.add(p.log().endOffset());
                        for (int i = 0; i < n; i++) {
                            long at = (op / 6 + i) % 2 == 0 ? 1000 + op * 10L + i : 0;
                            b.add(RecordCodec.encode(record(at, "m" + model.size())));
                            model.add(at == 0 ? new Entry('N', 0) : new Entry('D', at));
                        }
                        p.append(b.build(), 1, false).block(Duration.ofSeconds(5));
                    }
                    case 2 -> {
                        long now = 1000 + op * 10L;
                        List<Long> due = p.delays().takeDue(now, 1 + op % 4);
                        assertThat(due).allSatisfy(o -> assertThat(pending(model)).containsKey(o));
                        assertThat(due).allSatisfy(o -> assertThat(pending(model).get(o)).isLessThanOrEqualTo(now));
                        ReleasedCopies.Built built = ReleasedCopies.of(p.log(), due);
                        assertThat(built.missing()).isEmpty();
                        if (built.batch() != null) {
                            batchStarts.add(p.log().endOffset());
                            p.append(built.batch(), 1, false).block(Duration.ofSeconds(5));
                            built.released().forEach(o -> model.add(new Entry('R', o)));
                        }
                        p.delays().abandon(due);
                    }
                    case 3 -> {
                        if (!batchStarts.isEmpty()) {
                            int back = Math.min(batchStarts.size(), 1 + op % 3);
                            long cut = batchStarts.get(batchStarts.size() - back);
                            batchStarts.subList(batchStarts.size() - back, batchStarts.size()).clear();
                            p.truncateTo(cut);
                            model.subList((int) cut, model.size()).clear();
                        }
                    }
                    case 4 -> p.flush();
                    default -> {
                        p.close();
                        p = open(dir, settings);
                    }
                }
                assertThat(p.delays().pendingByOffset()).isEqualTo(pending(model));
                assertThat(p.log().endOffset()).isEqualTo(model.size());
            }
            assertReleasedOnce(model);
            p.close();
            p = open(dir, settings);
            assertThat(p.delays().pendingByOffset()).isEqualTo(pending(model));
        } finally {
            p.close();
            d.close();
        }
    }

    @Test
    void aTornCheckpointIsIgnoredAndTheLogIsReadAgain() throws IOException {
        try (Disk d = Disk.of(2048, 256)) {
            Path dir = d.dir();
            PartitionSettings settings = d.settings();
            try (Partition p = open(dir, settings)) {
                RecordBatchBuilder b = new RecordBatchBuilder();
                b.add(RecordCodec.encode(record(5000, "late")));
                b.add(RecordCodec.encode(record(0, "now")));
                p.append(b.build(), 1, false).block(Duration.ofSeconds(5));
                p.flush();
            }
            Path file = dir.resolve(DelayCheckpoint.FILE_NAME);
            assertThat(file).exists();
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 1;
            Files.write(file, bytes);
            try (Partition p = open(dir, settings)) {
                assertThat(p.delays().pendingByOffset()).isEqualTo(Map.of(0L, 5000L));
                assertThat(p.delays().nextDue()).isEqualTo(5000);
            }
        }
    }

    @Test
    void dueRecordsComeSoonestFirstAndNotTwiceWhileBeingReleased() throws IOException {
        try (Disk d = Disk.of(1 << 20, 4096); Partition p = open(d.dir(), d.settings())) {
            RecordBatchBuilder b = new RecordBatchBuilder();
            long[] due = {300, 100, 0, 200, 100};
            for (long at : due) {
                b.add(RecordCodec.encode(record(at, "x")));
            }
            p.append(b.build(), 1, false).block(Duration.ofSeconds(5));
            assertThat(p.delays().takeDue(150, 10)).containsExactly(1L, 4L);
            assertThat(p.delays().takeDue(1000, 10)).containsExactly(3L, 0L); // 1 and 4 are being released
            p.delays().abandon(List.of(1L, 4L, 3L, 0L));
            assertThat(p.delays().takeDue(1000, 3)).containsExactly(1L, 4L, 3L);
            assertThat(p.delays().lowestPending()).isEqualTo(0);
        }
    }

    /** A partition directory with its file cache and disk scheduler, closed together. */
    private record Disk(Path dir, Scheduler disk, FileCache files, PartitionSettings settings) implements AutoCloseable {
        static Disk of(int segmentBytes, int indexIntervalBytes) throws IOException {
            Scheduler disk = Schedulers.newBoundedElastic(2, 100, "delay-test");
            FileCache files = new FileCache(16);
            return new Disk(Files.createTempDirectory("delays"), disk, files, new PartitionSettings(
                    new SegmentConfig(segmentBytes, 3_600_000, indexIntervalBytes), files, 600_000, 1000, disk));
        }

        @Override
        public void close() {
            files.close();
            disk.dispose();
        }
    }

    private static Partition open(Path dir, PartitionSettings settings) {
        return new Partition(new PartitionId("v", "t", "id", 0), dir, settings);
    }

    private static Record record(long deliverAt, String payload) {
        return new Record(-1, 1, deliverAt, 0, "k".getBytes(StandardCharsets.UTF_8), null, null, Map.of(),
                payload.getBytes(StandardCharsets.UTF_8), false);
    }

    /** The model's pending records: delayed ones with no release after them. */
    private static Map<Long, Long> pending(List<Entry> model) {
        Map<Long, Long> pending = new TreeMap<>();
        for (int o = 0; o < model.size(); o++) {
            Entry e = model.get(o);
            if (e.kind() == 'D') {
                pending.put((long) o, e.value());
            } else if (e.kind() == 'R') {
                pending.remove(e.value());
            }
        }
        return pending;
    }

    private static void assertReleasedOnce(List<Entry> model) {
        Set<Long> released = new HashSet<>();
        for (Entry e : model) {
            if (e.kind() == 'R') {
                assertThat(released.add(e.value())).as("released twice: offset %d", e.value()).isTrue();
                assertThat(model.get((int) e.value()).kind()).isEqualTo('D');
            }
        }
    }
}
