package io.tributary.routing.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.routing.storage.AppendResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

class PartitionBatcherTest {
    static ByteBuffer record(String payload) {
        return ByteBuffer.wrap(RecordCodec.encode(new Record(-1, 1, 0, 0, null, null, null, Map.of(),
                payload.getBytes(StandardCharsets.UTF_8), false)));
    }

    /** A fake leader: stores batches, assigns consecutive offsets per partition. */
    static final class FakeLeader implements PartitionBatcher.Sender {
        final List<RecordBatch> batches = new CopyOnWriteArrayList<>();
        final AtomicLong next = new AtomicLong();

        @Override
        public Mono<AppendResponse> send(String vhost, String topic, int partition, ByteBuffer batch) {
            RecordBatch b = RecordBatch.view(batch);
            b.validate();
            batches.add(b);
            long base = next.getAndAdd(b.recordCount());
            return Mono.just(new AppendResponse(base, base + b.recordCount() - 1, base + b.recordCount(), null));
        }
    }

    @Test
    void concurrentSendsWithinTheLingerTravelAsOneBatchAndEachCallerGetsItsOffsets() {
        FakeLeader leader = new FakeLeader();
        PartitionBatcher batcher = new PartitionBatcher(leader, Duration.ofMillis(50), 1 << 20, Schedulers.parallel());
        List<Mono<List<Long>>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(batcher.send("v", "t", 0, List.of(record("a" + i), record("b" + i))));
        }
        List<List<Long>> offsets = Flux.mergeSequential(calls).collectList().block(Duration.ofSeconds(5));
        assertThat(leader.batches).hasSize(1);
        assertThat(leader.batches.get(0).recordCount()).isEqualTo(20);
        List<Long> all = new ArrayList<>();
        offsets.forEach(all::addAll);
        assertThat(all).doesNotHaveDuplicates().hasSize(20);
        // each caller's two records are adjacent and in order
        for (List<Long> o : offsets) {
            assertThat(o.get(1)).isEqualTo(o.get(0) + 1);
        }
    }

    @Test
    void aFullBatchLeavesWithoutWaitingForTheLinger() {
        FakeLeader leader = new FakeLeader();
        PartitionBatcher batcher = new PartitionBatcher(leader, Duration.ofSeconds(30), 100, Schedulers.parallel());
        List<Long> o = batcher.send("v", "t", 0, List.of(record("x".repeat(200)))).block(Duration.ofSeconds(5));
        assertThat(o).containsExactly(0L);
    }

    @Test
    void differentPartitionsAreDifferentBatches() {
        FakeLeader leader = new FakeLeader();
        PartitionBatcher batcher = new PartitionBatcher(leader, Duration.ofMillis(20), 1 << 20, Schedulers.parallel());
        Flux.merge(batcher.send("v", "t", 0, List.of(record("a"))), batcher.send("v", "t", 1, List.of(record("b"))),
                batcher.send("v", "u", 0, List.of(record("c")))).blockLast(Duration.ofSeconds(5));
        assertThat(leader.batches).hasSize(3);
    }

    @Test
    void aFailedAppendFailsEveryCallerInTheBatch() {
        PartitionBatcher batcher = new PartitionBatcher((v, t, p, b) -> Mono.error(new IllegalStateException("leader gone")),
                Duration.ofMillis(20), 1 << 20, Schedulers.parallel());
        Mono<List<Long>> a = batcher.send("v", "t", 0, List.of(record("a")));
        Mono<List<Long>> b = batcher.send("v", "t", 0, List.of(record("b")));
        assertThatThrownBy(() -> Flux.merge(a, b).blockLast(Duration.ofSeconds(5))).hasMessageContaining("leader gone");
    }

    @Test
    void retriedIdsKeepTheirOriginalOffsets() {
        PartitionBatcher batcher = new PartitionBatcher(
                (v, t, p, b) -> Mono.just(new AppendResponse(10, 10, 11, List.of(3L, 10L))), Duration.ZERO, 1 << 20,
                Schedulers.parallel());
        assertThat(batcher.send("v", "t", 0, List.of(record("retry"), record("new"))).block()).containsExactly(3L, 10L);
    }
}
