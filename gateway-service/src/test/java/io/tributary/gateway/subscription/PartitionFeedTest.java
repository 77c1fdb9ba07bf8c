package io.tributary.gateway.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.cluster.Fetched;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PartitionFeedTest {

    static ByteBuffer batch(long base, long... expireAts) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        for (long e : expireAts) {
            b.add(RecordCodec.encode(new Record(-1, 1, 0, e, null, null, null, Map.of(), new byte[] {1}, false)));
        }
        ByteBuffer buf = b.build();
        RecordBatch.view(buf).setBaseOffset(base);
        return buf;
    }

    static ByteBuffer concat(ByteBuffer... parts) {
        int n = 0;
        for (ByteBuffer p : parts) {
            n += p.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(n);
        for (ByteBuffer p : parts) {
            all.put(p.duplicate());
        }
        return all.flip();
    }

    @Test
    void skipsWhatWasAlreadyReadAndStopsAtTheHighWatermark() {
        Fetched f = new Fetched(concat(batch(10, 0, 0, 0), batch(13, 0, 0)), 0, 15, 14);
        AtomicLong next = new AtomicLong(11);
        List<Record> got = PartitionFeed.decode(f, next, "t", 0);
        assertThat(got).extracting(Record::offset).containsExactly(11L, 12L, 13L);
        assertThat(next.get()).isEqualTo(14);
    }

    @Test
    void expiredRecordsAreSkippedButPassed() {
        long past = System.currentTimeMillis() - 1000;
        long future = System.currentTimeMillis() + 60_000;
        Fetched f = new Fetched(batch(0, past, future, past), 0, 3, 3);
        AtomicLong next = new AtomicLong(0);
        assertThat(PartitionFeed.decode(f, next, "t", 0)).extracting(Record::offset).containsExactly(1L);
        assertThat(next.get()).isEqualTo(3);
    }

    @Test
    void jumpsToTheLogStartWhenRetentionRemovedThePosition() {
        Fetched f = new Fetched(ByteBuffer.allocate(0), 50, 50, 50);
        AtomicLong next = new AtomicLong(20);
        assertThat(PartitionFeed.decode(f, next, "t", 0)).isEmpty();
        assertThat(next.get()).isEqualTo(50);
    }

    @Test
    void aDamagedBatchIsRefusedNotDelivered() {
        ByteBuffer b = batch(0, 0, 0);
        b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PartitionFeed.decode(new Fetched(b, 0, 2, 2), new AtomicLong(), "t", 0))
                .isInstanceOf(io.tributary.protocol.problem.TributaryException.class)
                .hasMessageContaining("damaged batch");
    }

    @Test
    void anEmptyFetchKeepsThePosition() {
        AtomicLong next = new AtomicLong(7);
        assertThat(PartitionFeed.decode(new Fetched(ByteBuffer.allocate(0), 0, 7, 7), next, "t", 0)).isEmpty();
        assertThat(next.get()).isEqualTo(7);
    }
}
