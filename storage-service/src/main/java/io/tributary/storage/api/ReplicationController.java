package io.tributary.storage.api;

import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.cursor.Cursor;
import io.tributary.storage.shared.SharedStore;

import io.tributary.storage.partition.LedPartition;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionId;
import io.tributary.storage.partition.PartitionRegistry;
import io.tributary.storage.partition.PartitionResolver;
import io.tributary.storage.replication.LeaderEpochCache;
import io.tributary.storage.replication.ReplicaChecksum;
import java.time.Duration;
import java.util.Map;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * What replicas ask of each other and the controller asks of replicas (cluster token required).
 *
 * <pre>
 * GET /internal/partitions/{vhost}/{topic}/{p}/replica?offset=&epoch=&replica=&maxBytes=&waitMs=
 *     a follower's fetch from its leader: whole batches from its log end {@code offset}, all of
 *     the log (not only below the high watermark), long-polling for more. The offset tells the
 *     leader how far the follower's log reaches. Headers as a consumer fetch, plus
 *     X-Cursor-Version (the leader's consumer state, cursors and shared acks, changed when it differs
 *     from the follower's copy). {@code stateVersion} is the version the follower copied last: it
 *     tells the leader how far the follower's copy reaches (an ack waits for it), and a waiting
 *     fetch answers at once when the leader's state moved past it.
 *     416 with X-Log-End-Offset when the follower's log reaches past the leader's.
 * GET /internal/partitions/{vhost}/{topic}/{p}/epoch-end?epoch=E     (leader) -> {"epoch","endOffset"}
 *     where epoch E ends in the leader's log (KIP-101): a follower truncates there first.
 * GET /internal/partitions/{vhost}/{topic}/{p}/cursor-snapshot        (leader) -> {"version","cursors":{sub:{offset,generation}},
 *     "shared":{sub:{dispatched,spans:[{from,to,deliveries,deadlineMs,fate}]}}}
 * GET /internal/partitions/{vhost}/{topic}/{p}/checksum?upTo=N        (any replica) -> {"startOffset","endOffset","bytes","crc32c"}
 *     a CRC-32C of the log's bytes below N: in-sync replicas agree on everything below the high watermark.
 * GET /internal/partitions/{vhost}/{topic}/{p}/replica-state          (any replica) -> {"latestEpoch","logEndOffset","highWatermark"}
 *     what the controller takes a new leader epoch above, and shows per replica.
 * </pre>
 */
@RestController
@RequestMapping("/internal/partitions/{vhost}/{topic}/{partition}")
public class ReplicationController {
    public static final String CURSOR_VERSION = "X-Cursor-Version";
    private static final long MAX_WAIT_MS = 30_000;

    private final PartitionResolver resolver;
    private final PartitionRegistry registry;
    private final MetadataWatcher metadata;
    private final Scheduler disk;
    private final StorageProperties props;

    public ReplicationController(PartitionResolver resolver, PartitionRegistry registry, MetadataWatcher metadata,
            Scheduler diskScheduler, StorageProperties props) {
        this.resolver = resolver;
        this.registry = registry;
        this.metadata = metadata;
        this.disk = diskScheduler;
        this.props = props;
    }

    @GetMapping("/replica")
    public Mono<Void> fetch(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @RequestParam long offset, @RequestParam int epoch, @RequestParam String replica,
            @RequestParam(required = false) Integer maxBytes, @RequestParam(defaultValue = "0") long waitMs,
            @RequestParam(required = false) Long stateVersion, ServerHttpResponse response) {
        int max = maxBytes == null ? (int) props.maxFetchBytes().toBytes()
                : Math.max(1, Math.min(maxBytes, (int) props.maxFetchBytes().toBytes()));
        Duration wait = Duration.ofMillis(Math.max(0, Math.min(waitMs, MAX_WAIT_MS)));
        return resolver.leader(vhost, topic, partition, epoch).flatMap(led -> {
            if (!led.placement().replicas().contains(replica)) {
                return Mono.error(TributaryException.invalidArgument(replica + " is not a replica of " + topic + "/" + partition));
            }
            Partition p = led.partition();
            long end = p.log().endOffset();
            if (offset > end) {
                response.getHeaders().set(PartitionController.LOG_END, Long.toString(end));
                return Mono.error(new TributaryException(ProblemType.OFFSET_OUT_OF_RANGE, replica + " reaches offset " + offset
                        + ", past the leader's log end " + end + ": truncate first", null, null));
            }
            track(led, replica, offset);
            if (stateVersion != null) {
                led.partition().tracker().copiedConsumerState(replica, stateVersion);
            }
            return (stateVersion == null ? p.awaitDataAfter(offset, wait) : p.awaitDataOrStateAfter(offset, stateVersion, wait))
                    .then(Mono.fromCallable(() -> p.read(offset, max)).subscribeOn(disk))
                    .flatMap(r -> {
                        response.getHeaders().set(CURSOR_VERSION, Long.toString(p.consumerStateVersion()));
                        return PartitionController.write(response, r, p.highWatermark().value());
                    });
        });
    }

    /** The follower has everything before {@code offset}: the high watermark may move. */
    private void track(LedPartition led, String replica, long offset) {
        Partition p = led.partition();
        var tracker = p.lead(props.nodeId(), led.leaderEpoch(), led.placement().isr(), led.topic().minInSyncReplicas());
        tracker.fetched(replica, offset, p.log().endOffset(), System.currentTimeMillis());
        p.lead(props.nodeId(), led.leaderEpoch(), led.placement().isr(), led.topic().minInSyncReplicas());
    }

    @GetMapping("/epoch-end")
    public Mono<LeaderEpochCache.EpochEnd> epochEnd(@PathVariable String vhost, @PathVariable String topic,
            @PathVariable int partition, @RequestParam int epoch, @RequestParam(name = "leaderEpoch") int leaderEpoch) {
        return resolver.leader(vhost, topic, partition, leaderEpoch).map(led -> led.partition().endOffsetFor(epoch));
    }

    /** The leader's consumer state, cursors and shared ack state, for followers to copy. */
    public record CursorSnapshot(long version, Map<String, Cursor> cursors, Map<String, SharedStore.StateView> shared) {
    }

    @GetMapping("/cursor-snapshot")
    public Mono<CursorSnapshot> cursors(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition) {
        // On the disk scheduler: the shared store's lock may be held by a claim reading the log.
        return resolver.leader(vhost, topic, partition, null).publishOn(disk).map(led -> {
            // The version first: a change made meanwhile makes the copy newer than its version says
            // (the follower copies again), never older.
            Partition p = led.partition();
            long version = p.consumerStateVersion();
            return new CursorSnapshot(version, p.cursors().cursors(), p.shared().snapshot());
        });
    }

    /** What one replica holds of a partition. */
    public record ReplicaState(int latestEpoch, long logEndOffset, long highWatermark) {
    }

    /** A CRC-32C of this replica's log bytes below {@code upTo} (see {@link ReplicaChecksum}). */
    @GetMapping("/checksum")
    public Mono<ReplicaChecksum.Sum> checksum(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @RequestParam long upTo) {
        return Mono.fromCallable(() -> {
            TopicInfo t = metadata.current().requireTopic(vhost, topic);
            metadata.current().requirePartition(t, partition);
            return ReplicaChecksum.of(registry.get(new PartitionId(vhost, topic, t.id(), partition)).log(), upTo);
        }).subscribeOn(disk);
    }

    @GetMapping("/replica-state")
    public Mono<ReplicaState> state(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition) {
        return Mono.fromCallable(() -> {
            TopicInfo t = metadata.current().requireTopic(vhost, topic);
            PartitionInfo placement = metadata.current().requirePartition(t, partition);
            if (!placement.replicas().contains(props.nodeId())) {
                throw TributaryException.notFound(props.nodeId() + " holds no replica of " + topic + "/" + partition);
            }
            Partition p = registry.get(new PartitionId(vhost, topic, t.id(), partition));
            return new ReplicaState(p.latestEpoch(), p.log().endOffset(), p.highWatermark().value());
        }).subscribeOn(disk);
    }

}
