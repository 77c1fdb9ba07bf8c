package io.tributary.storage.replication;

import io.tributary.protocol.cluster.InternalWebClients;
import io.tributary.protocol.cluster.LeaderCall;
import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.cursor.Cursor;
import io.tributary.storage.shared.SharedStore;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionId;
import io.tributary.storage.partition.PartitionRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;

/**
 * Makes this node a follower of every partition it holds a replica of but does not lead:
 * one fetch loop per partition against its leader, restarted whenever the metadata names a
 * new leader or epoch.
 *
 * <p>A loop first asks the leader where this replica's last epoch ends in the leader's log
 * and truncates there (KIP-101: what an old leader appended that the new one does not have
 * goes), then long-polls the leader from its log end, appends what comes back byte for byte
 * (fsynced first for a {@code sync} topic, so the offset it fetches from next is durable),
 * takes the leader's high watermark, and copies the leader's cursors when they changed. The
 * offset of each fetch is what tells the leader how far this replica's log reaches.
 */
@Component
public class ReplicaFetcher implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);

    private final MetadataWatcher metadata;
    private final PartitionRegistry registry;
    private final InternalWebClients clients;
    private final Scheduler disk;
    private final StorageProperties props;
    private final Map<PartitionId, Following> following = new ConcurrentHashMap<>();
    private volatile Disposable watch;

    /** A partition this node follows: whom, in which epoch, and the loop doing it. */
    private record Following(String leader, int epoch, Disposable loop) {
    }

    public ReplicaFetcher(MetadataWatcher metadata, PartitionRegistry registry, InternalWebClients clients, Scheduler diskScheduler,
            StorageProperties props) {
        this.metadata = metadata;
        this.registry = registry;
        this.clients = clients;
        this.disk = diskScheduler;
        this.props = props;
    }

    /** Starts, restarts and stops fetch loops so that they match what {@code m} says this node follows. */
    synchronized void reconcile(MetadataSnapshot m) {
        Map<PartitionId, PartitionInfo> wanted = new HashMap<>();
        Map<PartitionId, TopicInfo> topics = new HashMap<>();
        for (TopicInfo t : m.metadata().topics()) {
            for (PartitionInfo p : t.assignments()) {
                if (p.replicas().contains(props.nodeId()) && p.leader() != null && !p.leader().equals(props.nodeId())) {
                    PartitionId id = new PartitionId(t.vhost(), t.name(), t.id(), p.partition());
                    wanted.put(id, p);
                    topics.put(id, t);
                }
            }
        }
        for (var it = following.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            PartitionInfo p = wanted.get(e.getKey());
            if (p == null || !p.leader().equals(e.getValue().leader()) || p.leaderEpoch() != e.getValue().epoch()) {
                e.getValue().loop().dispose();
                it.remove();
            }
        }
        wanted.forEach((id, p) -> following.computeIfAbsent(id, k -> {
            log.info("{} follows {} for {}/{}/{} in epoch {}", props.nodeId(), p.leader(), id.vhost(), id.topic(), id.partition(),
                    p.leaderEpoch());
            return new Following(p.leader(), p.leaderEpoch(), follow(id, topics.get(id), p));
        }));
    }

    private Disposable follow(PartitionId id, TopicInfo topic, PartitionInfo placement) {
        boolean sync = "sync".equals(topic.flush());
        AtomicLong cursorVersion = new AtomicLong(-1);
        Mono<Partition> open = Mono.fromCallable(() -> registry.get(id)).subscribeOn(disk).cache();
        Mono<Void> truncate = open.flatMap(p -> truncateToLeader(id, placement, p));
        CopyThrottle throttle = new CopyThrottle();
        Mono<Void> round = open.flatMap(p -> fetchOnce(id, placement, p, sync, cursorVersion, throttle));
        return truncate.then(round.repeat().then())
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2))
                        .doBeforeRetry(s -> log.debug("following {} for {}: {}", placement.leader(), id, s.failure().toString())))
                .subscribe();
    }

    private String leaderUrl(PartitionInfo placement) {
        NodeInfo leader = metadata.current().node(placement.leader()).orElseThrow(() ->
                TributaryException.unavailable("leader " + placement.leader() + " is not live"));
        return leader.url();
    }

    /** Asks the leader where this replica's last epoch ends in its log, and cuts this log back there. */
    private Mono<Void> truncateToLeader(PartitionId id, PartitionInfo placement, Partition p) {
        int mine = p.latestEpoch();
        if (mine < 0 || p.log().endOffset() == 0) {
            return Mono.empty();
        }
        return Mono.defer(() -> clients.forUrl(leaderUrl(placement)).get()
                        .uri(u -> u.path("/internal/partitions/{vhost}/{topic}/{partition}/epoch-end")
                                .queryParam("epoch", mine).queryParam("leaderEpoch", placement.leaderEpoch())
                                .build(id.vhost(), id.topic(), id.partition()))
                        .retrieve().bodyToMono(JsonNode.class))
                .publishOn(disk)
                .doOnNext(end -> {
                    long before = p.log().endOffset();
                    long after = p.truncateToLeader(new LeaderEpochCache.EpochEnd(end.get("epoch").asInt(), end.get("endOffset").asLong()));
                    if (after < before) {
                        log.warn("{}/{}/{}: epoch {} ends at {} on leader {} (its epoch {}); truncated this replica from {} to {}",
                                id.vhost(), id.topic(), id.partition(), mine, end.get("endOffset").asLong(), placement.leader(),
                                end.get("epoch").asInt(), before, after);
                    }
                })
                .then();
    }

    /**
     * One long-poll fetch from the leader, appended; 416 (this log reaches past the leader's)
     * truncates first. While this replica is being added by a move and is out of sync, fetches
     * are smaller and paced to the move's copy rate ({@link CopyThrottle}).
     */
    private Mono<Void> fetchOnce(PartitionId id, PartitionInfo placement, Partition p, boolean sync, AtomicLong cursorVersion,
            CopyThrottle throttle) {
        long rate = copyRate(id);
        int maxBytes = rate > 0 ? CopyThrottle.fetchBytes(rate, (int) props.maxFetchBytes().toBytes()) : (int) props.maxFetchBytes().toBytes();
        return Mono.defer(() -> {
            long offset = p.log().endOffset();
            return clients.forUrl(leaderUrl(placement)).get()
                    .uri(u -> u.path("/internal/partitions/{vhost}/{topic}/{partition}/replica")
                            .queryParam("offset", offset).queryParam("epoch", placement.leaderEpoch())
                            .queryParam("replica", props.nodeId()).queryParam("waitMs", props.replicaFetchWait().toMillis())
                            .queryParam("stateVersion", cursorVersion.get()).queryParam("maxBytes", maxBytes)
                            .build(id.vhost(), id.topic(), id.partition()))
                    .retrieve()
                    .toEntity(byte[].class)
                    .timeout(props.replicaFetchWait().plusSeconds(10));
        })
                .publishOn(disk)
                .flatMap(r -> apply(id, placement, p, r, sync, cursorVersion)
                        .then(pace(throttle, r.getBody() == null ? 0 : r.getBody().length, rate)))
                .onErrorResume(e -> e instanceof TributaryException t && t.type() == ProblemType.OFFSET_OUT_OF_RANGE,
                        e -> truncateToLeader(id, placement, p))
                .onErrorResume(e -> LeaderCall.isRetriable(e), e -> metadata.refresh().then(Mono.error(e)));
    }

    /** The copy rate this replica is held to now: its move's, while it is being added and out of sync; else 0 (none). */
    private long copyRate(PartitionId id) {
        PartitionInfo now = metadata.current().topic(id.vhost(), id.topic())
                .filter(t -> t.id().equals(id.topicId()) && id.partition() < t.partitions())
                .map(t -> t.partition(id.partition())).orElse(null);
        if (now == null || !now.adding().contains(props.nodeId()) || now.isr().contains(props.nodeId())) {
            return 0;
        }
        return now.copyBytesPerSecond();
    }

    private static Mono<Void> pace(CopyThrottle throttle, long bytes, long rate) {
        long waitNanos = throttle.copied(bytes, rate, System.nanoTime());
        return waitNanos <= 0 ? Mono.empty() : Mono.delay(Duration.ofNanos(waitNanos)).then();
    }

    private Mono<Void> apply(PartitionId id, PartitionInfo placement, Partition p, ResponseEntity<byte[]> r, boolean sync,
            AtomicLong cursorVersion) {
        byte[] body = r.getBody() == null ? new byte[0] : r.getBody();
        String leaderStart = r.getHeaders().getFirst("X-Log-Start-Offset");
        if (leaderStart != null && Long.parseLong(leaderStart) > p.log().endOffset()) {
            log.info("{}: this replica ends at {}, before its leader's log start {}: it starts over there", id, p.log().endOffset(),
                    leaderStart);
            p.restartAt(Long.parseLong(leaderStart));
        }
        Mono<Void> appended = body.length == 0 ? Mono.empty() : p.appendReplicated(ByteBuffer.wrap(body), sync);
        return appended.then(Mono.fromRunnable(() -> {
            String hw = r.getHeaders().getFirst("X-High-Watermark");
            if (hw != null) {
                p.followHighWatermark(Long.parseLong(hw));
            }
        })).then(Mono.defer(() -> {
            String v = r.getHeaders().getFirst("X-Cursor-Version");
            if (v == null || Long.parseLong(v) == cursorVersion.get()) {
                return Mono.empty();
            }
            return copyCursors(id, placement, p, cursorVersion);
        }));
    }

    /** The leader's consumer state changed: this replica takes all of it (cursors are few; shared acks are ranges). */
    private Mono<Void> copyCursors(PartitionId id, PartitionInfo placement, Partition p, AtomicLong cursorVersion) {
        return Mono.defer(() -> clients.forUrl(leaderUrl(placement)).get()
                        .uri("/internal/partitions/{vhost}/{topic}/{partition}/cursor-snapshot", id.vhost(), id.topic(), id.partition())
                        .retrieve().bodyToMono(new ParameterizedTypeReference<Snapshot>() { }))
                .publishOn(disk)
                .doOnNext(s -> {
                    p.cursors().replaceAll(s.cursors());
                    p.shared().replaceAll(s.shared() == null ? Map.of() : s.shared());
                    cursorVersion.set(s.version());
                })
                .then();
    }

    /** The leader's answer to a cursor snapshot request. */
    record Snapshot(long version, Map<String, Cursor> cursors, Map<String, SharedStore.StateView> shared) {
    }

    @Override
    public void start() {
        watch = metadata.updates().subscribe(this::reconcile, e -> log.error("replica fetcher stopped following metadata", e));
    }

    @Override
    public synchronized void stop() {
        if (watch != null) {
            watch.dispose();
        }
        following.values().forEach(f -> f.loop().dispose());
        following.clear();
    }

    @Override
    public boolean isRunning() {
        return watch != null && !watch.isDisposed();
    }

    /** Starts after the partition registry (DEFAULT_PHASE - 1), stops before it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
