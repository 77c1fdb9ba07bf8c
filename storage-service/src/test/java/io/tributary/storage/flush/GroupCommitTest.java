package io.tributary.storage.flush;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class GroupCommitTest {

    @Test
    void everyWaiterCompletesOnlyAfterAnFsyncThatStartedAfterItsAppend() {
        Scheduler disk = Schedulers.newBoundedElastic(4, 1000, "test-disk");
        try {
            AtomicLong written = new AtomicLong();    // appends whose bytes are written
            AtomicLong durableUpTo = new AtomicLong(); // appends covered by a finished fsync
            GroupCommit gc = new GroupCommit(() -> {
                long seen = written.get();
                sleep(5); // an fsync takes time: appends pile up behind it
                durableUpTo.accumulateAndGet(seen, Math::max);
            }, disk);
            int appends = 400;
            List<Mono<Long>> acks = new ArrayList<>();
            for (int i = 0; i < appends; i++) {
                long ticket;
                synchronized (gc) {
                    written.incrementAndGet();
                    ticket = gc.appended();
                }
                acks.add(gc.awaitDurable(ticket).then(Mono.fromSupplier(() -> {
                    assertThat(durableUpTo.get()).as("acknowledged before an fsync covered it").isGreaterThanOrEqualTo(ticket);
                    return ticket;
                })));
            }
            List<Long> done = Flux.merge(acks).collectList().block(Duration.ofSeconds(30));
            assertThat(done).hasSize(appends);
            assertThat(gc.fsyncCount()).as("group commit: far fewer fsyncs than appends").isLessThan(appends / 4);
        } finally {
            disk.dispose();
        }
    }

    @Test
    void aLoneAppendGetsItsOwnFsync() {
        Scheduler disk = Schedulers.newBoundedElastic(2, 100, "test-disk");
        try {
            AtomicLong fsyncs = new AtomicLong();
            GroupCommit gc = new GroupCommit(fsyncs::incrementAndGet, disk);
            gc.awaitDurable(gc.appended()).block(Duration.ofSeconds(5));
            gc.awaitDurable(gc.appended()).block(Duration.ofSeconds(5));
            assertThat(fsyncs.get()).isEqualTo(2);
            gc.awaitDurable(1).block(Duration.ofSeconds(5)); // already durable: no new fsync
            assertThat(fsyncs.get()).isEqualTo(2);
        } finally {
            disk.dispose();
        }
    }

    @Test
    void aFailedFsyncFailsItsWaiters() {
        Scheduler disk = Schedulers.newBoundedElastic(2, 100, "test-disk");
        try {
            GroupCommit gc = new GroupCommit(() -> {
                throw new IllegalStateException("disk gone");
            }, disk);
            Mono<Void> ack = gc.awaitDurable(gc.appended());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ack.block(Duration.ofSeconds(5))).hasMessageContaining("disk gone");
        } finally {
            disk.dispose();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
