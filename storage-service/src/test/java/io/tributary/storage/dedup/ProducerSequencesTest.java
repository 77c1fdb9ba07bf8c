package io.tributary.storage.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

/**
 * {@link ProducerSequences} against a model of what a leader must do: every batch a producer
 * sends is stored exactly once however often it is resent, as long as it is resent within the
 * last {@link ProducerSequences#CACHED_BATCHES} of its producer; a batch that skips ahead is
 * refused; answers to repeats are the original offsets.
 */
class ProducerSequencesTest {
    /** One step of a workload: producer {@code p} sends its next batch, or resends one it sent {@code back} batches ago. */
    record Step(int producer, int back) {
    }

    @Provide
    Arbitrary<List<Step>> workloads() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, Arbitraries.just(0)),
                        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(1, ProducerSequences.CACHED_BATCHES)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(-2, -1))))
                .as(Step::new);
        return step.list().ofMaxSize(300);
    }

    @Property(tries = 300)
    void everyBatchIsStoredOnceAndRepeatsGetTheOriginalOffsets(@ForAll("workloads") List<Step> steps) {
        ProducerSequences table = new ProducerSequences(600_000, 100);
        Map<Integer, List<Long>> storedAt = new HashMap<>(); // model: producer -> base offset of each sequence
        long logEnd = 0;
        for (Step s : steps) {
            long pid = 1000 + s.producer();
            List<Long> sent = storedAt.computeIfAbsent(s.producer(), k -> new ArrayList<>());
            int next = sent.size();
            int sequence = s.back() > 0 ? next - s.back() : next - s.back(); // back < 0: a gap ahead
            if (s.back() > 0 && sequence < 0) {
                continue; // nothing that far back yet
            }
            ProducerSequences.Verdict v = table.check(pid, sequence, 1);
            if (s.back() == 0) {
                assertThat(v).isInstanceOf(ProducerSequences.Append.class);
                table.record(pid, new ProducerSequences.Stored(sequence, 2, logEnd, logEnd + 1, null), 1);
                sent.add(logEnd);
                logEnd += 2;
            } else if (s.back() > 0) {
                assertThat(v).as("resend of batch %d of producer %d", sequence, pid).isInstanceOf(ProducerSequences.Duplicate.class);
                assertThat(((ProducerSequences.Duplicate) v).original().baseOffset()).isEqualTo(sent.get(sequence));
            } else if (next > 0) {
                assertThat(v).isInstanceOf(ProducerSequences.OutOfOrder.class);
                assertThat(((ProducerSequences.OutOfOrder) v).expected()).isEqualTo(next);
            } else {
                // a producer this partition never saw may start anywhere (its state may have been forgotten)
                assertThat(v).isInstanceOf(ProducerSequences.Append.class);
            }
        }
    }

    @Test
    void aResendOlderThanTheRememberedBatchesIsRefused() {
        ProducerSequences table = new ProducerSequences(600_000, 100);
        for (int i = 0; i <= ProducerSequences.CACHED_BATCHES; i++) {
            table.record(7, new ProducerSequences.Stored(i, 1, i, i, null), 1);
        }
        assertThat(table.check(7, 0, 1)).isInstanceOf(ProducerSequences.OutOfOrder.class);
        assertThat(table.check(7, 1, 1)).isInstanceOf(ProducerSequences.Duplicate.class);
    }

    @Test
    void idleProducersAreForgottenAndTheCountIsBounded() {
        ProducerSequences table = new ProducerSequences(1000, 3);
        for (int p = 0; p < 5; p++) {
            table.record(p, new ProducerSequences.Stored(0, 1, p, p, null), 10);
        }
        assertThat(table.producerCount()).isEqualTo(3);
        assertThat(table.check(4, 0, 10)).isInstanceOf(ProducerSequences.Duplicate.class);
        assertThat(table.check(0, 0, 10)).as("evicted: unknown again").isInstanceOf(ProducerSequences.Append.class);
        assertThat(table.check(4, 0, 5000)).as("idle past the window").isInstanceOf(ProducerSequences.Append.class);
        assertThat(table.producerCount()).isZero();
    }
}
