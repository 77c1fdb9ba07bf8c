package io.tributary.protocol.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

class BlockingSchedulerTest {
    @TempDir
    Path dir;

    /** A subscriber that goes away mid-write must not interrupt the write (which would close the channel for good). */
    @Test
    void cancellingASubscriberNeverInterruptsTheRunningFileOperation() throws Exception {
        Scheduler disk = new BlockingScheduler(2, 10, "test-disk");
        try (FileChannel ch = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            CountDownLatch finished = new CountDownLatch(1);
            AtomicBoolean interrupted = new AtomicBoolean();
            Disposable subscription = Mono.fromCallable(() -> {
                running.countDown();
                cancelled.await(5, TimeUnit.SECONDS);
                interrupted.set(Thread.currentThread().isInterrupted());
                int n = ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
                finished.countDown();
                return n;
            }).subscribeOn(disk).subscribe();
            assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
            subscription.dispose();
            cancelled.countDown();
            assertThat(finished.await(5, TimeUnit.SECONDS)).as("the write completed").isTrue();
            assertThat(interrupted.get()).isFalse();
            assertThat(ch.isOpen()).isTrue();
            assertThat(ch.size()).isEqualTo(3);
        } finally {
            disk.dispose();
        }
    }
}
