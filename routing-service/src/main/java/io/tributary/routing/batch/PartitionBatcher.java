package io.tributary.routing.batch;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.routing.producer.ProducerIds;
import io.tributary.routing.storage.AppendResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * Coalesces appends to the same partition: records that arrive within {@code linger} of
 * each other, from any number of publish requests, go to the partition leader as one record
 * batch (Kafka's producer linger, on the server side). A batch leaves early when it reaches
 * {@code maxBatchBytes}. Each caller gets back the offsets of its own records. The record
 * bytes are copied into the batch once and never re-encoded.
 *
 * <p>Idempotence: each partition's batches form a chain under one producer id, numbered
 * 0, 1, 2, ... (Kafka's idempotent producer), so the leader recognises a batch the sender
 * retried after a lost answer and stores it once. One batch per partition is in flight at a
 * time (Kafka's {@code max.in.flight} = 1): what arrives meanwhile waits and leaves as the
 * next batch as soon as the answer comes, so batches grow with load instead of racing each
 * other out of order. A chain whose last batch failed for good (its fate unknown) starts
 * over under a new producer id; a batch the leader refused as out of sequence (nothing of it
 * was stored, e.g. the leader forgot the producer) is sent once more under a new id.
 */
public final class PartitionBatcher {
    private static final Logger log = LoggerFactory.getLogger(PartitionBatcher.class);

    /** Sends one built batch to a partition's leader. */
    @FunctionalInterface
    public interface Sender {
        Mono<AppendResponse> send(String vhost, String topic, int partition, Acks acks, ByteBuffer batch);
    }

    /** A chain per partition and acks level: a batch is answered when its acks hold, so levels never share one. */
    private record Key(String vhost, String topic, int partition, Acks acks) {
    }

    private record Request(List<ByteBuffer> records, int bytes, MonoSink<List<Long>> sink) {
    }

    /** One partition's waiting records and its producer chain. Guarded by its own monitor. */
    private final class Chain {
        final Key key;
        final List<Request> waiting = new ArrayList<>();
        int bytes;
        boolean lingerScheduled;
        boolean inFlight;
        long producerId = -1;
        int nextSequence;

        Chain(Key key) {
            this.key = key;
        }

        void restart() {
            producerId = ids.next();
            nextSequence = 0;
        }
    }

    /** A batch on its way: its requests, and the producer id and sequence it was stamped with. */
    private record Flight(Chain chain, List<Request> requests, long producerId, int sequence) {
    }

    private final Sender sender;
    private final ProducerIds ids;
    private final LongAdder requestsSent = new LongAdder();
    private final LongAdder batchesSent = new LongAdder();
    private final Duration linger;
    private final int maxBatchBytes;
    private final Scheduler timer;
    private final Map<Key, Chain> chains = new ConcurrentHashMap<>();

    public PartitionBatcher(Sender sender, ProducerIds ids, Duration linger, int maxBatchBytes, Scheduler timer) {
        this.sender = sender;
        this.ids = ids;
        this.linger = linger;
        this.maxBatchBytes = maxBatchBytes;
        this.timer = timer;
    }

    /** Appends {@code records} to the partition, possibly with other callers' records; completes with their offsets, in order. */
    public Mono<List<Long>> send(String vhost, String topic, int partition, List<ByteBuffer> records) {
        return send(vhost, topic, partition, Acks.ALL, records);
    }

    /** As above, answered when {@code acks} hold ({@code none} is sent as {@code leader}: the caller does not wait). */
    public Mono<List<Long>> send(String vhost, String topic, int partition, Acks acks, List<ByteBuffer> records) {
        Objects.requireNonNull(records);
        int bytes = records.stream().mapToInt(ByteBuffer::remaining).sum();
        Key key = new Key(vhost, topic, partition, acks == Acks.NONE ? Acks.LEADER : acks);
        return Mono.create(sink -> {
            Chain c = chains.computeIfAbsent(key, Chain::new);
            Flight flight = null;
            synchronized (c) {
                c.waiting.add(new Request(records, bytes, sink));
                c.bytes += bytes;
                if (c.bytes >= maxBatchBytes || linger.isZero()) {
                    flight = takeOff(c);
                } else if (!c.lingerScheduled && !c.inFlight) {
                    c.lingerScheduled = true;
                    timer.schedule(() -> lingerOver(c), linger.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
            fly(flight);
        });
    }

    private void lingerOver(Chain c) {
        Flight flight;
        synchronized (c) {
            c.lingerScheduled = false;
            flight = takeOff(c);
        }
        fly(flight);
    }

    /**
     * Under the chain's lock: the next batch if one may leave now (nothing in flight, something
     * waiting), at most {@code maxBatchBytes} of requests (at least one), stamped with the
     * chain's next sequence.
     */
    private Flight takeOff(Chain c) {
        if (c.inFlight || c.waiting.isEmpty()) {
            return null;
        }
        List<Request> batch = new ArrayList<>();
        int bytes = 0;
        while (!c.waiting.isEmpty() && (batch.isEmpty() || bytes + c.waiting.get(0).bytes() <= maxBatchBytes)) {
            Request r = c.waiting.remove(0);
            batch.add(r);
            bytes += r.bytes();
        }
        c.bytes -= bytes;
        if (c.producerId < 0 || c.nextSequence == Integer.MAX_VALUE) {
            c.restart();
        }
        c.inFlight = true;
        return new Flight(c, batch, c.producerId, c.nextSequence++);
    }

    /** Caller requests handed to storage so far (compare with {@link #batchesSent()}). */
    public long requestsSent() {
        return requestsSent.sum();
    }

    /** Batches sent to storage so far. */
    public long batchesSent() {
        return batchesSent.sum();
    }

    private void fly(Flight flight) {
        fly(flight, true);
    }

    private void fly(Flight flight, boolean mayResend) {
        if (flight == null) {
            return;
        }
        requestsSent.add(flight.requests().size());
        batchesSent.increment();
        RecordBatchBuilder builder = new RecordBatchBuilder().producer(flight.producerId(), flight.sequence());
        for (Request r : flight.requests()) {
            r.records().forEach(builder::add);
        }
        Key k = flight.chain().key;
        sender.send(k.vhost(), k.topic(), k.partition(), k.acks(), builder.build()).subscribe(
                stored -> landed(flight, stored),
                error -> failed(flight, error, mayResend));
    }

    private void landed(Flight flight, AppendResponse stored) {
        int index = 0;
        for (Request r : flight.requests()) {
            List<Long> offsets = new ArrayList<>(r.records().size());
            for (int i = 0; i < r.records().size(); i++) {
                offsets.add(stored.offsetOf(index++));
            }
            r.sink().success(offsets);
        }
        next(flight.chain());
    }

    private void failed(Flight flight, Throwable error, boolean mayResend) {
        Chain c = flight.chain();
        if (mayResend && isOutOfSequence(error)) {
            // Refused whole, so nothing was stored: the same requests go again as the first
            // batch of a new chain (once; a second refusal fails them).
            Flight again;
            synchronized (c) {
                c.restart();
                again = new Flight(c, flight.requests(), c.producerId, c.nextSequence++);
            }
            log.info("{}/{}/{}: leader refused batch {} of producer {} as out of sequence; resending under producer {}",
                    c.key.vhost(), c.key.topic(), c.key.partition(), flight.sequence(), flight.producerId(), again.producerId());
            fly(again, false);
            return;
        }
        giveUp(flight, error);
    }

    /** The batch failed after the sender's retries: it may or may not be stored, so its chain starts over. */
    private void giveUp(Flight flight, Throwable error) {
        Chain c = flight.chain();
        synchronized (c) {
            c.restart();
        }
        flight.requests().forEach(r -> r.sink().error(error));
        next(c);
    }

    /** The chain's batch came back: the next one leaves at once with whatever waited meanwhile. */
    private void next(Chain c) {
        Flight flight;
        synchronized (c) {
            c.inFlight = false;
            flight = takeOff(c);
        }
        fly(flight);
    }

    private static boolean isOutOfSequence(Throwable e) {
        return e instanceof TributaryException t && t.type() == ProblemType.OUT_OF_ORDER_SEQUENCE;
    }
}
