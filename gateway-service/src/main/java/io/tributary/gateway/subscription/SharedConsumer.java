package io.tributary.gateway.subscription;

import io.tributary.gateway.cluster.SharedLeaderClient;
import io.tributary.protocol.metadata.GroupState;
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
import java.util.concurrent.atomic.AtomicReference;
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
    /** Shared, but all messages of one key go to one member at a time, in order (the leader splits the keys). */
    public static final String KEY_SHARED = "key_shared";
    /** At most this many messages per claim. */
    static final int MAX_CLAIM = 100;

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
    /** Acked by the client, not sent to the leaders yet (see {@link #flush}). */
    private final Map<Integer, List<Long>> pendingAcks = new TreeMap<>();
    /**
     * Nothing, while the consumer stays a member of a subscription that exists: its heartbeats,
     * and an error that ends the consumer once the subscription is deleted.
     */
    private final Flux<Delivery> untilDeleted;
    /** The member's heartbeats; with a single active consumer, each says whether this member is the active one. */
    private final Flux<GroupState> membership;
    /** Whether this member claims: always, unless the subscription has a single active consumer that is another member. */
    private final AtomicBoolean active;
    /** This consumer's member id. */
    private final String member;
    /** key_shared: the members the last heartbeat listed, which the leader splits the keys among. */
    private final AtomicReference<GroupState> members = new AtomicReference<>(new GroupState(-1, List.of(), List.of()));

    SharedConsumer(SubscriptionInfo sub, int partitions, SharedFeed feed, SharedLeaderClient leaders, Duration wait,
            String member, Flux<GroupState> membership, Flux<Delivery> untilDeleted) {
        this.untilDeleted = untilDeleted;
        this.membership = membership;
        this.member = member;
        // A key_shared member waits for its first heartbeat: it must know the members to claim its keys.
        this.active = new AtomicBoolean(!sub.singleActiveConsumer() && !keyShared(sub));
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
     * Every partition's claims, in one stream whose demand (the transport's credit) sizes the
     * claims: each partition claims its share of what is still asked for, so what is claimed
     * beyond the demand is at most about one message per partition, however many partitions
     * wait. A message whose lease ran out before the client asked for it is dropped here, not
     * sent: the leader may have handed it to another consumer.
     */
    @Override
    public Flux<Delivery> deliveries() {
        return Flux.<Delivery>create(sink -> {
                    AtomicLong demand = new AtomicLong();
                    List<Puller> pullers = new ArrayList<>();
                    for (int p = 0; p < partitions; p++) {
                        pullers.add(new Puller(sink, p, demand));
                    }
                    sink.onRequest(n -> {
                        demand.accumulateAndGet(n, (x, y) -> x + y < 0 ? Long.MAX_VALUE : x + y);
                        pullers.forEach(Puller::drain);
                    });
                    // Not merged in as a stream: a merge would cap the demand at its prefetch.
                    Disposable deleted = untilDeleted.subscribe(null, sink::error);
                    Disposable heartbeats = membership.subscribe(state -> {
                        members.set(state);
                        boolean nowActive = !sub.singleActiveConsumer() || !state.partitions().isEmpty();
                        if (active.getAndSet(nowActive) != nowActive && nowActive) {
                            pullers.forEach(Puller::drain); // this member took over
                        }
                    }, sink::error);
                    sink.onDispose(() -> {
                        deleted.dispose();
                        heartbeats.dispose();
                        pullers.forEach(Puller::dispose);
                    });
                })
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

    /** Whether {@code type} is consumed by this class: shared or key_shared. */
    public static boolean handles(String type) {
        return TYPE.equals(type) || KEY_SHARED.equals(type);
    }

    private static boolean keyShared(SubscriptionInfo sub) {
        return KEY_SHARED.equals(sub.type());
    }

    private static ClientFrame.MessageId id(Delivery d) {
        return new ClientFrame.MessageId(d.partition(), d.record().offset());
    }

    /** Claims for one partition, one after another, while the stream's demand lasts. */
    private final class Puller {
        private final FluxSink<Delivery> sink;
        private final int partition;
        private final AtomicLong demand;
        private final AtomicBoolean busy = new AtomicBoolean();
        private volatile Disposable running;

        Puller(FluxSink<Delivery> sink, int partition, AtomicLong demand) {
            this.sink = sink;
            this.partition = partition;
            this.demand = demand;
        }

        /** Starts a claim unless one runs, sized to this partition's share of the demand left. */
        void drain() {
            long left = demand.get();
            if (sink.isCancelled() || left <= 0 || !active.get() || !busy.compareAndSet(false, true)) {
                return;
            }
            int n = (int) Math.min(MAX_CLAIM, Math.max(1, (left + partitions - 1) / partitions));
            SharedLeaderClient.KeyView keys = keyShared(sub) ? new SharedLeaderClient.KeyView(member, members.get().members(),
                    members.get().generation()) : null;
            running = feed.claim(sub, partition, n, wait, keys).subscribe(list -> {
                for (Delivery d : list) {
                    claimed.add(id(d));
                    demand.decrementAndGet();
                    sink.next(d);
                }
                busy.set(false);
                drain();
            }, e -> {
                busy.set(false);
                sink.error(e);
            });
        }

        void dispose() {
            Disposable d = running;
            if (d != null) {
                d.dispose();
            }
        }
    }

    /**
     * Acks are gathered and sent with the next {@link #flush} (every 100 ms): one call per
     * partition for many acks, each answered once the followers have it. A message acked here
     * is out of this connection's hands at once (a second ack of it is refused).
     */
    @Override
    public Mono<Void> ack(List<ClientFrame.MessageId> ids) {
        Map<Integer, List<Long>> byPartition = take(ids);
        synchronized (pendingAcks) {
            byPartition.forEach((p, offsets) -> pendingAcks.computeIfAbsent(p, k -> new ArrayList<>()).addAll(offsets));
        }
        return Mono.empty();
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

    /** Sends the gathered acks; what fails is gathered again for the next flush. */
    @Override
    public Mono<Void> flush() {
        Map<Integer, List<Long>> batch;
        synchronized (pendingAcks) {
            if (pendingAcks.isEmpty()) {
                return Mono.empty();
            }
            batch = new TreeMap<>(pendingAcks);
            pendingAcks.clear();
        }
        return Flux.fromIterable(batch.entrySet())
                .flatMap(e -> leaders.ack(sub, e.getKey(), e.getValue()).then().onErrorResume(x -> {
                    log.info("acks of {} partition {} failed, sent again with the next flush: {}", sub.key(), e.getKey(), x.toString());
                    synchronized (pendingAcks) {
                        pendingAcks.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
                    }
                    return Mono.empty();
                }))
                .then();
    }

    /** Sends the last acks, requeues what the client held and hands back what it never got. Once. */
    @Override
    public Mono<Void> close() {
        if (!closed.compareAndSet(false, true)) {
            return Mono.empty();
        }
        Map<Integer, List<Long>> held = group(List.copyOf(outstanding));
        Map<Integer, List<Long>> unsent = group(List.copyOf(claimed));
        outstanding.clear();
        claimed.clear();
        return flush().then(Flux.concat(
                        Flux.fromIterable(held.entrySet()).flatMap(e -> leaders.nack(sub, e.getKey(), e.getValue(), true, false)),
                        Flux.fromIterable(unsent.entrySet()).flatMap(e -> leaders.nack(sub, e.getKey(), e.getValue(), true, true)))
                .onErrorResume(e -> {
                    log.info("messages held by a closed consumer of {} are left to their ack timeout: {}", sub.key(), e.toString());
                    return Mono.empty();
                })
                .then());
    }
}
