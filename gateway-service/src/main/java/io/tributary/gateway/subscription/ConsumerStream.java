package io.tributary.gateway.subscription;

import io.tributary.gateway.cluster.StorageReader;
import io.tributary.protocol.cluster.LeaderCall;
import io.tributary.protocol.metadata.GroupState;
import java.time.Duration;
import reactor.util.retry.Retry;
import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One consumer connection to a subscription: the records of the partitions its assignments
 * give it (for a {@code group}, what the group assigns to this member; for a
 * {@code broadcast} consumer, every partition, for good), merged, with the position of each
 * partition tracked as records are handed to the client. When the assignment changes every
 * partition restarts from its tracked position, so nothing is skipped or repeated within the
 * connection.
 *
 * <p>Where a partition starts: the position this stream already reached; else the client's
 * resume token (which is then committed); else {@link StartPositions#committedOrStart}.
 */
public final class ConsumerStream implements Consumption {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConsumerStream.class);
    private final SubscriptionInfo sub;
    private final ConsumerIdentity identity;
    private final Map<Integer, Long> resume;
    /** The partitions this consumer reads, and the generation it reads them in (-1: no group). */
    private final Flux<GroupState> assignments;
    private final PartitionFeed feed;
    private final StorageReader storage;
    private final StartPositions starts;
    /** The subscription's tag filter, applied by storage on every fetch. */
    private final TagFilter filter;
    /** Next offset per partition, as delivered to the client. */
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    /** What was last committed per partition, so unchanged positions are not committed again. */
    private final Map<Integer, Long> committed = new ConcurrentHashMap<>();
    /** The partitions this member owns and the group generation it owns them in; commits carry both. */
    private volatile Ownership owned = new Ownership(-1, List.of());

    /** This member's share of the group as of one generation. */
    private record Ownership(long generation, List<Integer> partitions) {
    }

    ConsumerStream(ConsumerIdentity identity, Flux<GroupState> assignments, Map<Integer, Long> resume, PartitionFeed feed,
            StorageReader storage, StartPositions starts) {
        this.sub = identity.subscription();
        this.identity = identity;
        this.resume = Map.copyOf(resume);
        this.assignments = assignments;
        this.feed = feed;
        this.storage = storage;
        this.starts = starts;
        this.filter = TagFilter.parse(sub.filter());
    }

    @Override
    public SubscriptionInfo subscription() {
        return sub;
    }

    /**
     * The records for this member, in order per partition. Positions advance as they are
     * emitted. On every assignment the start of each partition is resolved before any record
     * flows, so every resume token names every partition the stream reads.
     */
    @Override
    public Flux<Delivery> deliveries() {
        return assignments
                .doOnNext(state -> owned = new Ownership(state.generation(), List.copyOf(state.partitions())))
                .map(GroupState::partitions)
                .distinctUntilChanged()
                .switchMap(partitions -> {
                    return Flux.fromIterable(partitions)
                            .flatMap(p -> startOf(p).doOnNext(start -> positions.putIfAbsent(p, start)).thenReturn(p))
                            .collectList()
                            .flatMapMany(resolved -> Flux.merge(resolved.stream().map(this::partition).toList()));
                })
                .doOnNext(d -> positions.put(d.partition(), d.nextOffset()));
    }

    private Flux<Delivery> partition(int p) {
        return feed.deliveries(sub.vhost(), sub.topic(), p, positions.get(p), filter);
    }

    private Mono<Long> startOf(int p) {
        Long reached = positions.get(p);
        if (reached != null) {
            return Mono.just(reached);
        }
        Long resumed = resume.get(p);
        if (resumed != null) {
            // A resume token is the client's proof of what it received: everything before it
            // is committed now (SSE commits nothing the client has not shown it got).
            return commit(Map.of(p, resumed)).onErrorResume(e -> Mono.empty()).thenReturn(resumed);
        }
        // A leader that is away (a cold cluster, a leader moving) is waited for, as PartitionFeed does.
        return starts.committedOrStart(identity, p)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(3))
                        .filter(LeaderCall::isRetriable));
    }

    /** The positions of the partitions this stream reads now: the body of a resume token. */
    public Map<Integer, Long> positions() {
        Map<Integer, Long> now = new TreeMap<>();
        for (int p : owned.partitions()) {
            Long o = positions.get(p);
            if (o != null) {
                now.put(p, o);
            }
        }
        return now;
    }

    /** Whether {@code partition}/{@code offset} is a record this stream has delivered. */
    public boolean delivered(int partition, long offset) {
        Long next = positions.get(partition);
        return next != null && offset < next;
    }

    /** Commits the delivered positions of the assigned partitions that moved since the last commit. */
    public Mono<Void> commitPositions() {
        return commit(positions());
    }

    /**
     * Commits {@code offsets} (next offset per partition), skipping those already committed and
     * those this member no longer owns. Each commit carries the generation the member owns the
     * partition in, so storage refuses it once a newer generation has committed there (the
     * partition moved to another member): a revoked member can never move the new owner's
     * position. A partition that refuses is dropped from the result, not retried.
     */
    public Mono<Void> commit(Map<Integer, Long> offsets) {
        Ownership now = owned;
        return Flux.fromIterable(offsets.entrySet())
                .filter(e -> now.partitions().contains(e.getKey()))
                .filter(e -> !e.getValue().equals(committed.get(e.getKey())))
                .flatMap(e -> (now.generation() < 0
                        ? storage.commit(sub.vhost(), sub.topic(), e.getKey(), identity.cursor(), e.getValue())
                        : storage.commit(sub.vhost(), sub.topic(), e.getKey(), identity.cursor(), e.getValue(), now.generation()))
                        .doOnSuccess(v -> committed.merge(e.getKey(), e.getValue(), Math::max))
                        .onErrorResume(ConsumerStream::isFenced, x -> Mono.empty()))
                .then();
    }

    /** Acked positions (next offset per partition) not committed yet: flushed every 100 ms. */
    private final Map<Integer, Long> acked = new HashMap<>();

    /** A cumulative ack: the position of each partition moves past its highest acked offset with the next flush. */
    @Override
    public Mono<Void> ack(List<ClientFrame.MessageId> ids) {
        for (ClientFrame.MessageId id : ids) {
            if (!delivered(id.partition(), id.offset())) {
                throw TributaryException.invalidArgument("message " + id.partition() + "-" + id.offset()
                        + " was not delivered on this connection");
            }
        }
        synchronized (acked) {
            ids.forEach(id -> acked.merge(id.partition(), id.offset() + 1, Math::max));
        }
        return Mono.empty();
    }

    @Override
    public Mono<Void> nack(List<ClientFrame.MessageId> ids, boolean requeue) {
        throw TributaryException.invalidArgument("nack needs a shared subscription; " + sub.type()
                + " subscriptions acknowledge cumulatively, per partition");
    }

    /** Commits what was acked; a failure is logged and retried with the next flush (the acks stay). */
    @Override
    public Mono<Void> flush() {
        Map<Integer, Long> batch;
        synchronized (acked) {
            batch = new HashMap<>(acked);
        }
        if (batch.isEmpty()) {
            return Mono.empty();
        }
        return commit(batch).onErrorResume(e -> {
            log.info("ack commit of {} failed, retried with the next flush: {}", sub.key(), e.toString());
            return Mono.empty();
        });
    }

    @Override
    public Mono<Void> close() {
        return flush();
    }

    private static boolean isFenced(Throwable e) {
        return e instanceof TributaryException t && t.type() == ProblemType.FENCED;
    }
}
