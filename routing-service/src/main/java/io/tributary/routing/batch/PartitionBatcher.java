package io.tributary.routing.batch;

import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.routing.storage.AppendResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * Coalesces appends to the same partition: records that arrive within {@code linger} of
 * each other, from any number of publish requests, go to the partition leader as one record
 * batch (Kafka's producer linger, on the server side). A batch leaves early when it reaches
 * {@code maxBatchBytes}. Each caller gets back the offsets of its own records. The record
 * bytes are copied into the batch once and never re-encoded.
 */
public final class PartitionBatcher {
    /** Sends one built batch to a partition's leader. */
    @FunctionalInterface
    public interface Sender {
        Mono<AppendResponse> send(String vhost, String topic, int partition, ByteBuffer batch);
    }

    private record Key(String vhost, String topic, int partition) {
    }

    private record Request(List<ByteBuffer> records, MonoSink<List<Long>> sink) {
    }

    private final class Pending {
        final Key key;
        final List<Request> requests = new ArrayList<>();
        int bytes;
        boolean scheduled;

        Pending(Key key) {
            this.key = key;
        }
    }

    private final Sender sender;
    private final java.util.concurrent.atomic.LongAdder requestsSent = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder batchesSent = new java.util.concurrent.atomic.LongAdder();
    private final Duration linger;
    private final int maxBatchBytes;
    private final Scheduler timer;
    private final Map<Key, Pending> pending = new ConcurrentHashMap<>();

    public PartitionBatcher(Sender sender, Duration linger, int maxBatchBytes, Scheduler timer) {
        this.sender = sender;
        this.linger = linger;
        this.maxBatchBytes = maxBatchBytes;
        this.timer = timer;
    }

    /** Appends {@code records} to the partition, possibly with other callers' records; completes with their offsets, in order. */
    public Mono<List<Long>> send(String vhost, String topic, int partition, List<ByteBuffer> records) {
        Objects.requireNonNull(records);
        int bytes = records.stream().mapToInt(ByteBuffer::remaining).sum();
        Key key = new Key(vhost, topic, partition);
        return Mono.create(sink -> {
            Pending toFlush = null;
            Pending p = pending.computeIfAbsent(key, Pending::new);
            synchronized (p) {
                p.requests.add(new Request(records, sink));
                p.bytes += bytes;
                if (p.bytes >= maxBatchBytes || linger.isZero()) {
                    toFlush = detach(p);
                } else if (!p.scheduled) {
                    p.scheduled = true;
                    timer.schedule(() -> flush(key), linger.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
            if (toFlush != null) {
                send(toFlush);
            }
        });
    }

    private void flush(Key key) {
        Pending p = pending.get(key);
        if (p == null) {
            return;
        }
        Pending batch;
        synchronized (p) {
            batch = detach(p);
        }
        if (batch != null) {
            send(batch);
        }
    }

    /** Moves what is pending into a batch of its own (under the pending's lock). */
    private Pending detach(Pending p) {
        if (p.requests.isEmpty()) {
            p.scheduled = false;
            return null;
        }
        Pending batch = new Pending(p.key);
        batch.requests.addAll(p.requests);
        batch.bytes = p.bytes;
        p.requests.clear();
        p.bytes = 0;
        p.scheduled = false;
        return batch;
    }

    /** Caller requests handed to storage so far (compare with {@link #batchesSent()}). */
    public long requestsSent() {
        return requestsSent.sum();
    }

    /** Batches sent to storage so far. */
    public long batchesSent() {
        return batchesSent.sum();
    }

    private void send(Pending batch) {
        requestsSent.add(batch.requests.size());
        batchesSent.increment();
        RecordBatchBuilder builder = new RecordBatchBuilder();
        for (Request r : batch.requests) {
            r.records().forEach(builder::add);
        }
        sender.send(batch.key.vhost(), batch.key.topic(), batch.key.partition(), builder.build()).subscribe(
                stored -> {
                    int index = 0;
                    for (Request r : batch.requests) {
                        List<Long> offsets = new ArrayList<>(r.records().size());
                        for (int i = 0; i < r.records().size(); i++) {
                            offsets.add(stored.offsetOf(index++));
                        }
                        r.sink().success(offsets);
                    }
                },
                error -> batch.requests.forEach(r -> r.sink().error(error)));
    }
}
