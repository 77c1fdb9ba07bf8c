package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Torn tails under replication: a replica killed (kill -9) gets its last log segment damaged
 * on disk as a crash can leave it, then restarts. A follower's tail is cut inside the last
 * batch with garbage after it; a leader's last batch gets a flipped bit. Recovery drops what
 * does not check out, replication fetches it back from the current leader, and in the end
 * every replica is byte-identical with nothing acknowledged lost.
 */
class TornTailReplicationClusterTest {
    static TestCluster cluster;
    static Api api;
    static Replicas replicas;

    @BeforeAll
    static void start() {
        cluster = TestCluster.get();
        api = cluster.api();
        replicas = new Replicas(cluster);
    }

    @Test
    void tornTailsOnAFollowerAndOnTheLeaderConvergeWithNothingAcknowledgedLost() throws Exception {
        String topic = "torn";
        replicas.createTopic(topic, 1);
        String topicId = replicas.topicId(topic);
        KeyedLoad load = new KeyedLoad(api, topic, 2, 10, Duration.ofMillis(50)).start();
        String follower;
        String flipped;
        long cutBytes;
        try {
            load.awaitAcked(300);
            String leader = replicas.leader(topic, 0);
            follower = replicas.isr(topic, 0).stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();

            // A follower: cut inside its last batch, garbage after the cut.
            cluster.launcher().kill(follower);
            Path followerLog = lastSegment(replicas.partitionDir(follower, topic, topicId, 0));
            cutBytes = cutInsideLastBatchAndAppendGarbage(followerLog);
            load.awaitAcked(load.ackedCount() + 200);
            replicas.restart(follower);
            replicas.awaitConverged(topic, 0, Duration.ofSeconds(90));

            // The leader: killed, a bit flipped in its last batch; another replica leads meanwhile.
            flipped = replicas.leader(topic, 0);
            cluster.launcher().kill(flipped);
            flipABitInTheLastBatch(lastSegment(replicas.partitionDir(flipped, topic, topicId, 0)));
            replicas.awaitNewLeader(topic, 0, flipped, Duration.ofSeconds(30));
            load.awaitAcked(load.ackedCount() + 200);
            replicas.restart(flipped);
            load.awaitAcked(load.ackedCount() + 100);
        } finally {
            load.close();
        }
        long hw = replicas.assertByteIdentical(topic, 0);
        KeyedLoad.Verdict v = load.verify(1);
        System.out.printf("torn tails (follower %s: cut %d bytes into its last batch plus garbage; leader %s: a flipped bit): "
                        + "replicas byte-identical up to %d; %d acknowledged, missing %d, duplicates %d%n",
                follower, cutBytes, flipped, hw, v.acknowledged(), v.missing(), v.duplicates());
        assertThat(v.missing()).isZero();
        assertThat(v.duplicates()).isZero();
        assertThat(v.outOfOrder()).isZero();
        load.assertOnlyRetriableFailures();
    }

    static Path lastSegment(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .filter(f -> {
                        try {
                            return Files.size(f) > 0;
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .max(Comparator.comparing(Path::getFileName)).orElseThrow();
        }
    }

    /** Where the last batch of a segment starts (batches: int64 base offset, int32 length after it). */
    static long lastBatchStart(Path segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            long pos = 0;
            long last = -1;
            ByteBuffer header = ByteBuffer.allocate(12);
            while (pos + 12 <= ch.size()) {
                header.clear();
                ch.read(header, pos);
                int length = header.flip().getInt(8);
                if (length <= 0 || pos + 12 + length > ch.size()) {
                    break;
                }
                last = pos;
                pos += 12 + length;
            }
            assertThat(last).as("a batch in " + segment).isNotNegative();
            return last;
        }
    }

    static long cutInsideLastBatchAndAppendGarbage(Path segment) throws IOException {
        long start = lastBatchStart(segment);
        long size = Files.size(segment);
        long cut = start + (size - start) / 2;
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(cut);
            ch.write(ByteBuffer.wrap("\u0000garbage after a torn write\u00ff".repeat(8).getBytes()), cut);
            ch.force(true);
        }
        return size - cut;
    }

    static void flipABitInTheLastBatch(Path segment) throws IOException {
        long start = lastBatchStart(segment);
        long size = Files.size(segment);
        long at = start + (size - start) * 3 / 4;
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x10));
            b.rewind();
            ch.write(b, at);
            ch.force(true);
        }
    }
}
