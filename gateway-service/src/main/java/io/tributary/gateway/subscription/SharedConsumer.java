package io.tributary.gateway.subscription;

import io.tributary.gateway.cluster.SharedLeaderClient;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * One consumer of a {@code shared} subscription (RabbitMQ's competing consumers): it claims
 * messages from every partition's leader, only as many as it was asked for (the transport's
 * credit), and acks or nacks each one there. What it holds is tracked so that when the
 * connection ends, every message it was sent and did not ack is requeued at once (keeping its
 * delivery count), and every message it claimed but never sent is handed back as undelivered.
 * A gateway that dies without doing so leaves them to their ack timeout.
 */
public final class SharedConsumer implements Consumption {
    private static final Logger log = LoggerFactory.getLogger(SharedConsumer.class);
    public static final String TYPE = "shared";
    /** At most this many messages per claim; and what a partition may claim ahead of the credit. */
    static final int MAX_CLAIM = 100;
    static final int PREFETCH_PER_PARTITION = 8;

    private final SubscriptionInfo sub;
    private final int partitions;
    private final SharedFeed feed;
    private final SharedLeaderClient leaders;
    private final Duration wait;
    /** Claimed from a leader, not sent to the client yet. */
    private final Set<ClientFrame.MessageId> claimed = ConcurrentHashMap.newKeySet();
    /** Sent to the client, not acked or nacked yet. */
    private final Set<ClientFrame.MessageId> outstanding = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    SharedConsumer(SubscriptionInfo sub, int partitions, SharedFeed feed, SharedLeaderClient leaders, Duration wait) {
        this.sub = sub;
        this.partitions = partitions;
        this.feed = feed;
        this.leaders = leaders;
        this.wait = wait;
    }

    @Override
    public SubscriptionInfo subscription() {
        return sub;
    }

    /**
     * Every partition's claims, merged. A message whose lease ran out before the client asked
     * for it is dropped here, not sent: the leader may have handed it to another consumer.
     */
    @Override
    public Flux<Delivery> deliveries() {
        List<Flux<Delivery>> each = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            each.add(feed.start(sub, p).flatMapMany(start -> Flux.<Delivery>create(sink -> new Puller(sink, partition, start)))
                    .doOnNext(d -> claimed.add(id(d))));
        }
        return Flux.merge(Flux.fromIterable(each), partitions, PREFETCH_PER_PARTITION)
                .filter(d -> {
                    ClientFrame.MessageId id = id(d);
                    claimed.remove(id);
                    if (d.leaseDeadlineMs() <= System.currentTimeMillis()) {
                        return false;
                    }
                    outstanding.add(id);
                    return true;
                });
    }

    private static ClientFrame.MessageId id(Delivery d) {
        return new ClientFrame.MessageId(d.partition(), d.record().offset());
    }

    /** Claims for one partition, one after another, each no larger than the demand left. */
    private final class Puller {
        private final FluxSink<Delivery> sink;
        private final int partition;
        private final long start;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicBoolean busy = new AtomicBoolean();
        private volatile Disposable running;

        Puller(FluxSink<Delivery> sink, int partition, long start) {
            this.sink = sink;
            this.partition = partition;
            this.start = start;
            sink.onRequest(n -> {
                demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                drain();
            });
            sink.onDispose(() -> {
                Disposable d = running;
                if (d != null) {
                    d.dispose();
                }
            });
        }

        private void drain() {
            if (sink.isCancelled() || demand.get() == 0 || !busy.compareAndSet(false, true)) {
                return;
            }
            int n = (int) Math.min(demand.get(), MAX_CLAIM);
            running = feed.claim(sub, partition, start, n, wait).subscribe(list -> {
                list.forEach(sink::next);
                demand.addAndGet(-list.size());
                busy.set(false);
                drain();
            }, e -> {
                busy.set(false);
                sink.error(e);
            });
        }
    }

    @Override
    public Mono<Void> ack(List<ClientFrame.MessageId> ids) {
        Map<Integer, List<Long>> byPartition = take(ids);
        return Flux.fromIterable(byPartition.entrySet())
                .flatMap(e -> leaders.ack(sub, e.getKey(), e.getValue()))
                .then();
    }

    @Override
    public Mono<Void> nack(List<ClientFrame.MessageId> ids, boolean requeue) {
        Map<Integer, List<Long>> byPartition = take(ids);
        return Flux.fromIterable(byPartition.entrySet())
                .flatMap(e -> leaders.nack(sub, e.getKey(), e.getValue(), requeue, false)
                        .then(requeue ? Mono.empty() : feed.deadLetterNow(sub, e.getKey())))
                .then();
    }

    /** Takes {@code ids} out of the outstanding set, all or none: every one must have been sent on this connection. */
    private Map<Integer, List<Long>> take(List<ClientFrame.MessageId> ids) {
        List<ClientFrame.MessageId> unknown = ids.stream().filter(id -> !outstanding.contains(id)).toList();
        if (!unknown.isEmpty()) {
            throw TributaryException.invalidArgument("messages " + unknown.stream().map(i -> i.partition() + "-" + i.offset())
                    .toList() + " are not held by this connection (never sent on it, or acked or nacked already)");
        }
        ids.forEach(outstanding::remove);
        return group(ids);
    }

    private static Map<Integer, List<Long>> group(Iterable<ClientFrame.MessageId> ids) {
        Map<Integer, List<Long>> out = new TreeMap<>();
        for (ClientFrame.MessageId id : ids) {
            out.computeIfAbsent(id.partition(), k -> new ArrayList<>()).add(id.offset());
        }
        return out;
    }

    @Override
    public Mono<Void> flush() {
        return Mono.empty(); // acks go to the leader as they come
    }

    /** Requeues what the client held and hands back what it never got. Once. */
    @Override
    public Mono<Void> close() {
        if (!closed.compareAndSet(false, true)) {
            return Mono.empty();
        }
        Map<Integer, List<Long>> held = group(List.copyOf(outstanding));
        Map<Integer, List<Long>> unsent = group(List.copyOf(claimed));
        outstanding.clear();
        claimed.clear();
        return Flux.concat(
                        Flux.fromIterable(held.entrySet()).flatMap(e -> leaders.nack(sub, e.getKey(), e.getValue(), true, false)),
                        Flux.fromIterable(unsent.entrySet()).flatMap(e -> leaders.nack(sub, e.getKey(), e.getValue(), true, true)))
                .onErrorResume(e -> {
                    log.info("messages held by a closed consumer of {} are left to their ack timeout: {}", sub.key(), e.toString());
                    return Mono.empty();
                })
                .then();
    }
}
