package io.tributary.routing.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.routing.producer.ProducerIds;
import io.tributary.routing.storage.AppendResponse;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Sinks;
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
        public Mono<AppendResponse> send(String vhost, String topic, int partition, io.tributary.protocol.publish.Acks acks, ByteBuffer batch) {
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
        PartitionBatcher batcher = new PartitionBatcher(leader, new ProducerIds(1), Duration.ofMillis(50), 1 << 20, Schedulers.parallel());
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
        PartitionBatcher batcher = new PartitionBatcher(leader, new ProducerIds(1), Duration.ofSeconds(30), 100, Schedulers.parallel());
        List<Long> o = batcher.send("v", "t", 0, List.of(record("x".repeat(200)))).block(Duration.ofSeconds(5));
        assertThat(o).containsExactly(0L);
    }

    @Test
    void differentPartitionsAreDifferentBatches() {
        FakeLeader leader = new FakeLeader();
        PartitionBatcher batcher = new PartitionBatcher(leader, new ProducerIds(1), Duration.ofMillis(20), 1 << 20, Schedulers.parallel());
        Flux.merge(batcher.send("v", "t", 0, List.of(record("a"))), batcher.send("v", "t", 1, List.of(record("b"))),
                batcher.send("v", "u", 0, List.of(record("c")))).blockLast(Duration.ofSeconds(5));
        assertThat(leader.batches).hasSize(3);
    }

    @Test
    void aFailedAppendFailsEveryCallerInTheBatch() {
        PartitionBatcher batcher = new PartitionBatcher((v, t, p, a, b) -> Mono.error(new IllegalStateException("leader gone")), new ProducerIds(1),
                Duration.ofMillis(20), 1 << 20, Schedulers.parallel());
        Mono<List<Long>> a = batcher.send("v", "t", 0, List.of(record("a")));
        Mono<List<Long>> b = batcher.send("v", "t", 0, List.of(record("b")));
        assertThatThrownBy(() -> Flux.merge(a, b).blockLast(Duration.ofSeconds(5))).hasMessageContaining("leader gone");
    }

    @Test
    void retriedIdsKeepTheirOriginalOffsets() {
        PartitionBatcher batcher = new PartitionBatcher(
                (v, t, p, a, b) -> Mono.just(new AppendResponse(10, 10, 11, List.of(3L, 10L))), new ProducerIds(1), Duration.ZERO, 1 << 20,
                Schedulers.parallel());
        assertThat(batcher.send("v", "t", 0, List.of(record("retry"), record("new"))).block()).containsExactly(3L, 10L);
    }

    /** A leader that answers only when told to, and records what it got. */
    static final class SlowLeader implements PartitionBatcher.Sender {
        final List<RecordBatch> batches = new CopyOnWriteArrayList<>();
        final List<Sinks.One<AppendResponse>> answers = new CopyOnWriteArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        long next;

        @Override
        public Mono<AppendResponse> send(String vhost, String topic, int partition, io.tributary.protocol.publish.Acks acks, ByteBuffer batch) {
            RecordBatch b = RecordBatch.view(batch);
            b.validate();
            batches.add(b);
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Sinks.One<AppendResponse> answer = Sinks.one();
            answers.add(answer);
            return answer.asMono().doOnNext(a -> inFlight.decrementAndGet());
        }

        synchronized void answer(int i) {
            RecordBatch b = batches.get(i);
            long base = next;
            next += b.recordCount();
            answers.get(i).tryEmitValue(new AppendResponse(base, next - 1, next, null));
        }
    }

    @Test
    void onePartitionsBatchesFormOneProducerChainWithOneBatchInFlight() {
        SlowLeader leader = new SlowLeader();
        PartitionBatcher batcher = new PartitionBatcher(leader, new ProducerIds(7), Duration.ZERO, 1 << 20, Schedulers.parallel());
        List<Mono<List<Long>>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Mono<List<Long>> call = batcher.send("v", "t", 0, List.of(record("m" + i))).cache();
            call.subscribe();
            calls.add(call);
        }
        // The first went alone; the other four waited for its answer and leave together.
        assertThat(leader.batches).hasSize(1);
        leader.answer(0);
        assertThat(leader.batches).hasSize(2);
        assertThat(leader.batches.get(1).recordCount()).isEqualTo(4);
        leader.answer(1);
        assertThat(Flux.concat(calls).collectList().block(Duration.ofSeconds(5)))
                .containsExactly(List.of(0L), List.of(1L), List.of(2L), List.of(3L), List.of(4L));
        assertThat(leader.maxInFlight.get()).isEqualTo(1);
        assertThat(leader.batches).extracting(RecordBatch::producerId).containsOnly(leader.batches.get(0).producerId());
        assertThat(leader.batches.get(0).producerId()).isEqualTo(7L << 24);
        assertThat(leader.batches).extracting(RecordBatch::baseSequence).containsExactly(0, 1);
    }

    @Test
    void aBatchRefusedAsOutOfSequenceIsResentOnceUnderANewProducer() {
        List<RecordBatch> seen = new CopyOnWriteArrayList<>();
        PartitionBatcher batcher = new PartitionBatcher((v, t, p, a, b) -> {
            RecordBatch batch = RecordBatch.view(b);
            seen.add(batch);
            if (seen.size() == 1) {
                return Mono.error(new TributaryException(ProblemType.OUT_OF_ORDER_SEQUENCE, "gap", null, null));
            }
            return Mono.just(new AppendResponse(40, 40, 41, null));
        }, new ProducerIds(3), Duration.ZERO, 1 << 20, Schedulers.parallel());
        assertThat(batcher.send("v", "t", 0, List.of(record("x"))).block(Duration.ofSeconds(5))).containsExactly(40L);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).producerId()).isNotEqualTo(seen.get(0).producerId());
        assertThat(seen.get(1).baseSequence()).isZero();
    }

    @Test
    void aChainWhoseBatchFailedStartsOverUnderANewProducer() {
        List<RecordBatch> seen = new CopyOnWriteArrayList<>();
        PartitionBatcher batcher = new PartitionBatcher((v, t, p, a, b) -> {
            seen.add(RecordBatch.view(b));
            return seen.size() == 2 ? Mono.error(TributaryException.unavailable("timed out", null))
                    : Mono.just(new AppendResponse(0, 0, 1, null));
        }, new ProducerIds(3), Duration.ZERO, 1 << 20, Schedulers.parallel());
        batcher.send("v", "t", 0, List.of(record("a"))).block(Duration.ofSeconds(5));
        assertThatThrownBy(() -> batcher.send("v", "t", 0, List.of(record("b"))).block(Duration.ofSeconds(5)))
                .hasMessageContaining("timed out");
        batcher.send("v", "t", 0, List.of(record("c"))).block(Duration.ofSeconds(5));
        assertThat(seen.get(1).producerId()).isEqualTo(seen.get(0).producerId());
        assertThat(seen.get(1).baseSequence()).isEqualTo(1);
        assertThat(seen.get(2).producerId()).isNotEqualTo(seen.get(0).producerId());
        assertThat(seen.get(2).baseSequence()).isZero();
    }
}
