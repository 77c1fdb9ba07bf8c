package io.tributary.storage.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.storage.TestBatches;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.log.AppendResult;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Three real replicas of one partition (on disk), driven through random histories the way the
 * storage nodes and the controller drive them: the leader appends, followers fetch from their
 * log end and append what they get byte for byte, the in-sync set shrinks and grows, leaders
 * die (their process restarts from disk) and the controller elects another member of the
 * in-sync set in a higher epoch; a follower cuts its log back to what its new leader answers
 * for its last epoch before its first fetch in the new epoch, however late that is.
 *
 * <p>Checked against a model of what was acknowledged ({@code acks=all}: the batch lies below
 * the leader's high watermark while that leader leads): after every election the new leader
 * has every acknowledged record at its offset, and once every replica has caught up the three
 * logs are byte-identical. Found that a follower that missed a whole epoch kept records of an
 * epoch its leader never saw (fixed with KIP-279's second look in
 * {@link Partition#truncateToLeader}).
 */
class ReplicationLogPropertyTest {
    private static final int MIN_IN_SYNC = 2;
    private static final List<String> NAMES = List.of("s1", "s2", "s3");

    @Property(tries = 150)
    void acknowledgedRecordsSurviveElectionsAndReplicasConverge(
            @ForAll @Size(min = 5, max = 80) List<@IntRange(min = 0, max = 99) Integer> steps) throws Exception {
        try (Cluster c = new Cluster()) {
            for (int step : steps) {
                c.step(step);
            }
            c.converge();
            ByteBuffer leaderLog = c.bytes(c.leader);
            for (int r = 0; r < 3; r++) {
                assertThat(c.bytes(r)).as("%s's log against the leader's", NAMES.get(r)).isEqualTo(leaderLog);
                c.assertHasAcknowledged(r);
            }
        }
    }

    /** The replicas, the controller's view (leader, epoch, in-sync set) and what clients were told. */
    private static final class Cluster implements AutoCloseable {
        final Scheduler disk = Schedulers.newBoundedElastic(2, 1000, "model-disk");
        final FileCache files = new FileCache(64);
        final PartitionSettings settings = new PartitionSettings(new SegmentConfig(2048, 3_600_000, 256), files, 600_000, 1000, disk);
        final Path[] dirs = new Path[3];
        final Partition[] replicas = new Partition[3];
        /** Replicas that have not yet asked the current leader where their epoch ends. */
        final boolean[] mustTruncate = new boolean[3];
        final List<Integer> isr = new ArrayList<>(List.of(0, 1, 2));
        int leader = 0;
        int epoch = 1;
        int written;
        /** Batches the leader appended in this epoch and has not acknowledged yet: first, last offset. */
        final List<long[]> pending = new ArrayList<>();
        final Map<Long, String> acknowledged = new TreeMap<>();
        final Map<Long, String> payloadAt = new HashMap<>();

        Cluster() throws IOException {
            for (int r = 0; r < 3; r++) {
                dirs[r] = Files.createTempDirectory("replica-" + NAMES.get(r));
                replicas[r] = open(r);
            }
            lead();
        }

        Partition open(int r) {
            return new Partition(new PartitionId("v", "t", "id", 0), dirs[r], settings);
        }

        List<String> isrNames() {
            return isr.stream().map(NAMES::get).toList();
        }

        ReplicaTracker lead() {
            return replicas[leader].lead(NAMES.get(leader), epoch, isrNames(), MIN_IN_SYNC);
        }

        void step(int step) {
            switch (step % 10) {
                case 0, 1, 2, 3 -> append(1 + step % 3);
                case 4, 5, 6 -> fetch(follower(step));
                case 7 -> elect(step);
                case 8 -> shrink(step);
                default -> expand();
            }
            acknowledge();
        }

        int follower(int step) {
            return (leader + 1 + step % 2) % 3;
        }

        void append(int count) {
            Record[] records = new Record[count];
            for (int i = 0; i < count; i++) {
                records[i] = TestBatches.record("k", 1_000 + written, "r" + written++, null);
            }
            AppendResult a = replicas[leader].append(TestBatches.batchOf(records), epoch, false).block(Duration.ofSeconds(10));
            pending.add(new long[] {a.baseOffset(), a.baseOffset() + count - 1});
            for (int i = 0; i < count; i++) {
                payloadAt.put(a.baseOffset() + i, new String(records[i].payload(), StandardCharsets.UTF_8));
            }
            lead();
        }

        /** One fetch by follower {@code f}, as its fetch loop does it (truncating first in a new epoch, or on 416). */
        void fetch(int f) {
            Partition follower = replicas[f];
            Partition lead = replicas[leader];
            if (mustTruncate[f] || follower.log().endOffset() > lead.log().endOffset()) {
                follower.truncateToLeader(lead.endOffsetFor(follower.latestEpoch()));
                mustTruncate[f] = false;
                return;
            }
            long offset = follower.log().endOffset();
            lead().fetched(NAMES.get(f), offset, lead.log().endOffset(), System.currentTimeMillis());
            lead();
            ByteBuffer got = TestBatches.bytesOf(lead.read(offset, 4096));
            if (got.hasRemaining()) {
                follower.appendReplicated(got, false).block(Duration.ofSeconds(10));
            }
            follower.followHighWatermark(lead.highWatermark().value());
        }

        /**
         * The leader dies and restarts from disk; the controller takes it out of the in-sync set
         * and elects another member in an epoch above every one reported.
         */
        void elect(int step) {
            List<Integer> candidates = isr.stream().filter(r -> r != leader).toList();
            if (candidates.isEmpty()) {
                return; // offline: no clean election possible
            }
            int old = leader;
            replicas[old].close();
            replicas[old] = open(old);
            isr.remove(Integer.valueOf(old));
            int highest = epoch;
            for (Partition p : replicas) {
                highest = Math.max(highest, p.latestEpoch());
            }
            epoch = highest + 1;
            leader = candidates.get(step % candidates.size());
            pending.clear(); // their clients saw the leader die: fate unknown, never acknowledged
            Arrays.fill(mustTruncate, true);
            mustTruncate[leader] = false;
            lead();
            assertHasAcknowledged(leader);
        }

        /** The leader drops a follower from the in-sync set (it lagged); down to the leader alone. */
        void shrink(int step) {
            List<Integer> followers = isr.stream().filter(r -> r != leader).toList();
            if (!followers.isEmpty()) {
                isr.remove(followers.get(step % followers.size()));
                lead();
            }
        }

        /** Followers whose fetches show they reach the high watermark join the in-sync set. */
        void expand() {
            ReplicaTracker t = lead();
            for (String r : t.caughtUp(NAMES, isrNames(), replicas[leader].highWatermark().value())) {
                isr.add(NAMES.indexOf(r));
            }
            lead();
        }

        /** A batch is acknowledged once the current leader's high watermark passes it. */
        void acknowledge() {
            long hw = replicas[leader].highWatermark().value();
            for (var it = pending.iterator(); it.hasNext(); ) {
                long[] b = it.next();
                if (b[1] < hw) {
                    for (long o = b[0]; o <= b[1]; o++) {
                        acknowledged.put(o, payloadAt.get(o));
                    }
                    it.remove();
                }
            }
        }

        /** Every follower fetches until it has all of the leader's log and the leader knows it. */
        void converge() {
            for (int round = 0; round < 1000; round++) {
                boolean done = true;
                for (int f = 0; f < 3; f++) {
                    if (f != leader) {
                        boolean behind = mustTruncate[f] || replicas[f].log().endOffset() != replicas[leader].log().endOffset();
                        fetch(f);
                        done &= !behind;
                    }
                }
                if (done) {
                    return;
                }
            }
            throw new AssertionError("replicas did not converge");
        }

        void assertHasAcknowledged(int r) {
            Map<Long, String> stored = new TreeMap<>();
            for (RecordBatch b : RecordBatch.split(bytes(r))) {
                long o = b.baseOffset();
                for (Record rec : b.records()) {
                    stored.put(o++, new String(rec.payload(), StandardCharsets.UTF_8));
                }
            }
            assertThat(stored).as("what %s holds in epoch %d", NAMES.get(r), epoch).containsAllEntriesOf(acknowledged);
        }

        /** The whole log of replica {@code r}, batch after batch, over all its segments. */
        ByteBuffer bytes(int r) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            long offset = 0;
            while (offset < replicas[r].log().endOffset()) {
                ByteBuffer chunk = TestBatches.bytesOf(replicas[r].read(offset, 1 << 20));
                List<RecordBatch> batches = RecordBatch.split(chunk.duplicate());
                assertThat(batches).as("batches of %s from %d", NAMES.get(r), offset).isNotEmpty();
                offset = batches.get(batches.size() - 1).nextOffset();
                byte[] b = new byte[chunk.remaining()];
                chunk.get(b);
                all.writeBytes(b);
            }
            return ByteBuffer.wrap(all.toByteArray());
        }

        @Override
        public void close() {
            for (Partition p : replicas) {
                p.close();
            }
            files.close();
            disk.dispose();
        }
    }
}
