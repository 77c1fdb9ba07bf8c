package io.tributary.storage.api;

import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.shared.ClaimCodec;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.partition.LedPartition;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionResolver;
import io.tributary.storage.replication.ReplicaTracker;
import io.tributary.storage.shared.SharedDispatcher;
import io.tributary.storage.shared.SharedState;
import java.time.Duration;
import java.util.List;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A shared subscription's deliveries on the partition leader, where its ack state lives (see
 * {@link io.tributary.storage.shared.SharedStore}), so any gateway can serve any consumer.
 *
 * <pre>
 * POST /internal/partitions/{vhost}/{topic}/{p}/shared/{sub}/claim?start=&amp;max=&amp;maxBytes=&amp;waitMs=
 *      &amp;ackTimeoutMs=&amp;maxDeliveries=&amp;deadLetters=&amp;deadLettersOnly=&amp;tags=&amp;epoch=
 *      [&amp;member=&amp;members=m1,m2,...]   (key_shared: the claiming member and the members it knows)
 *      -> ClaimCodec body: up to max messages leased to the caller until the ack timeout (due
 *         redeliveries first), long-polling up to waitMs when there is none; a subscription that
 *         never claimed here begins at its pinned cursor, else at start (409 conflict with neither)
 * POST .../shared/{sub}/ack   {"offsets":[..]}                                   -> {"committed":n}
 * POST .../shared/{sub}/nack  {"offsets":[..],"requeue":b,"undeliver":b,"deadLetter":b} -> {"committed":n}
 *      both all or nothing (400 naming offsets never delivered); answered once every in-sync
 *      follower copied the change (503, safe to retry, if they do not in time)
 * GET  .../shared/{sub}       -> {"dispatched","committed","unacked","inFlight","spans"}
 * </pre>
 */
@RestController
@RequestMapping("/internal/partitions/{vhost}/{topic}/{partition}/shared/{sub}")
public class SharedController {
    private static final long MAX_WAIT_MS = 30_000;
    /** How often a waiting claim looks again for redeliveries that fell due. */
    private static final Duration RECHECK = Duration.ofMillis(200);

    private final PartitionResolver resolver;
    private final Scheduler disk;
    private final StorageProperties props;
    /** key_shared: per partition and subscription, the newest member list a claim named (see {@link #newestMembers}). */
    private final java.util.concurrent.ConcurrentHashMap<String, SharedDispatcher.KeyShare> views =
            new java.util.concurrent.ConcurrentHashMap<>();

    public SharedController(PartitionResolver resolver, Scheduler diskScheduler, StorageProperties props) {
        this.resolver = resolver;
        this.disk = diskScheduler;
        this.props = props;
    }

    @PostMapping("/claim")
    public Mono<Void> claim(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @PathVariable String sub, @RequestParam(required = false) Long start, @RequestParam int max,
            @RequestParam(required = false) Integer maxBytes, @RequestParam(defaultValue = "0") long waitMs,
            @RequestParam long ackTimeoutMs, @RequestParam(defaultValue = "0") int maxDeliveries,
            @RequestParam(defaultValue = "false") boolean deadLetters, @RequestParam(defaultValue = "false") boolean deadLettersOnly,
            @RequestParam(required = false) String tags, @RequestParam(required = false) String member,
            @RequestParam(required = false) String members, @RequestParam(defaultValue = "-1") long generation,
            @RequestParam(required = false) Integer epoch, ServerHttpResponse response) {
        if (max < 1 || ackTimeoutMs < 1 || (start != null && start < 0)) {
            return Mono.error(TributaryException.invalidArgument("max and ackTimeoutMs must be positive, start not negative"));
        }
        SharedDispatcher.KeyShare keyShare = member == null ? null
                : new SharedDispatcher.KeyShare(member, members == null || members.isEmpty() ? List.of() : List.of(members.split(",")),
                        generation);
        SharedDispatcher.Settings settings = new SharedDispatcher.Settings(ackTimeoutMs, maxDeliveries, deadLetters,
                TagFilter.parse(tags), deadLettersOnly, keyShare);
        int bytes = maxBytes == null ? (int) props.maxFetchBytes().toBytes()
                : Math.max(1, Math.min(maxBytes, (int) props.maxFetchBytes().toBytes()));
        long deadline = System.currentTimeMillis() + Math.max(0, Math.min(waitMs, MAX_WAIT_MS));
        return resolver.leader(vhost, topic, partition, epoch)
                .flatMap(led -> claimUntil(led.partition(), sub, start, max, bytes, settings, deadline)
                        .flatMap(c -> c.isEmpty() ? Mono.just(c) : copiedByFollowers(led).thenReturn(c)))
                .flatMap(c -> {
                    response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
                    return response.writeWith(Mono.just(DefaultDataBufferFactory.sharedInstance.wrap(
                            ClaimCodec.encode(c.ranges(), c.batches()))));
                });
    }

    /** Claims; with nothing to hand out, waits for new messages (or redeliveries falling due) until {@code deadline}. */
    private Mono<SharedDispatcher.Claimed> claimUntil(Partition p, String sub, Long start, int max, int bytes,
            SharedDispatcher.Settings settings, long deadline) {
        return Mono.fromCallable(() -> SharedDispatcher.claim(p, sub, start, max, bytes, newestMembers(p, sub, settings),
                        System.currentTimeMillis()))
                .subscribeOn(disk)
                // Followers copy the new leases at once: a failover then keeps delivery counts and what was handed out.
                .doOnNext(c -> {
                    if (c.changedState()) {
                        p.consumerStateChanged();
                    }
                })
                .flatMap(c -> {
                    long left = deadline - System.currentTimeMillis();
                    if (!c.isEmpty() || left <= 0) {
                        return Mono.just(c);
                    }
                    long next = p.shared().state(sub).map(SharedState::dispatched).orElseThrow(); // a claim leaves a state
                    Duration wait = Duration.ofMillis(Math.min(left, RECHECK.toMillis()));
                    return p.highWatermark().awaitPast(next, wait)
                            .then(Mono.defer(() -> claimUntil(p, sub, start, max, bytes, settings, deadline)));
                });
    }

    /**
     * key_shared: the members of the newest group generation any claim of {@code sub} on this
     * partition named. A claim long-polling since before a member joined would otherwise split
     * the keys by the members it knew when it was sent.
     */
    private SharedDispatcher.Settings newestMembers(Partition p, String sub, SharedDispatcher.Settings settings) {
        SharedDispatcher.KeyShare k = settings.keyShare();
        if (k == null) {
            return settings;
        }
        SharedDispatcher.KeyShare newest = views.merge(p.id() + "/" + sub, k, (old, given) -> given.generation() >= old.generation()
                ? given : old);
        return new SharedDispatcher.Settings(settings.ackTimeoutMs(), settings.maxDeliveries(), settings.deadLetters(),
                settings.filter(), settings.deadLettersOnly(), new SharedDispatcher.KeyShare(k.member(), newest.members(),
                newest.generation()));
    }

    /**
     * Waits (up to the replication wait) for the in-sync followers to copy the consumer state
     * as it is now: a claim's leases then survive the leader, so a failover neither forgets a
     * delivery count nor what was handed out. A claim whose copy takes longer is answered
     * anyway: the messages are better delivered than held back, at the cost of one uncounted
     * delivery if the leader dies just then.
     */
    private Mono<Boolean> copiedByFollowers(LedPartition led) {
        Partition p = led.partition();
        long version = p.consumerStateVersion();
        ReplicaTracker tracker = p.lead(props.nodeId(), led.leaderEpoch(), led.placement().isr(), led.topic().minInSyncReplicas());
        return tracker.awaitConsumerStateCopied(props.nodeId(), led.placement().isr(), version, props.replicationWait());
    }

    /** Offsets to ack or nack. */
    public record Offsets(List<Long> offsets, Boolean requeue, Boolean undeliver, Boolean deadLetter) {
        List<Long> required() {
            if (offsets == null || offsets.isEmpty() || offsets.stream().anyMatch(o -> o == null || o < 0)) {
                throw TributaryException.invalidArgument("offsets must be a non-empty list of offsets");
            }
            return offsets;
        }
    }

    /** Where the subscription's committed position is after an ack or nack. */
    public record Settled(long committed) {
    }

    @PostMapping("/ack")
    public Mono<Settled> ack(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @PathVariable String sub, @RequestBody Offsets body) {
        List<Long> offsets = body.required();
        return change(vhost, topic, partition, sub, p -> p.shared().ack(sub, offsets));
    }

    @PostMapping("/nack")
    public Mono<Settled> nack(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @PathVariable String sub, @RequestBody Offsets body) {
        List<Long> offsets = body.required();
        return change(vhost, topic, partition, sub, p -> p.shared().nack(sub, offsets, !Boolean.FALSE.equals(body.requeue()),
                Boolean.TRUE.equals(body.undeliver()), Boolean.TRUE.equals(body.deadLetter())));
    }

    /**
     * Applies an ack or nack on the leader, moves the subscription's cursor to its new floor,
     * and answers once every in-sync follower copied the change: an acknowledged ack survives
     * the leader's loss as acknowledged messages do.
     */
    private Mono<Settled> change(String vhost, String topic, int partition, String sub,
            java.util.function.ToLongFunction<Partition> op) {
        return resolver.leader(vhost, topic, partition, null).publishOn(disk).flatMap(led -> {
            Partition p = led.partition();
            long floor = op.applyAsLong(p);
            p.cursors().commit(sub, floor);
            p.consumerStateChanged();
            return copiedByFollowers(led)
                    .flatMap(copied -> copied ? Mono.just(new Settled(floor))
                            : Mono.error(TributaryException.unavailable("the in-sync replicas " + led.placement().isr()
                                    + " did not confirm the acknowledgement in time; it holds on the leader, and retrying is safe")));
        });
    }

    /** A subscription's ack state on this partition. */
    public record StateView(long dispatched, long committed, long unacked, long inFlight, int spans) {
    }

    @GetMapping
    public Mono<StateView> state(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @PathVariable String sub) {
        // On the disk scheduler: the store's lock may be held by a claim reading the log.
        return resolver.reader(vhost, topic, partition, null).map(LedPartition::partition).publishOn(disk).map(p -> {
            long now = System.currentTimeMillis();
            synchronized (p.shared()) {
                return p.shared().state(sub).map(s -> new StateView(s.dispatched(), s.floor(), s.unacked(), s.inFlight(now), s.spans()))
                        .orElse(new StateView(-1, -1, 0, 0, 0));
            }
        });
    }
}
