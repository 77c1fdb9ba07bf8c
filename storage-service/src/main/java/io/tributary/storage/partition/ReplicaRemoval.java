package io.tributary.storage.partition;

import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.storage.StorageProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Deletes the files of partitions moved off this node. Every second (when the metadata changed,
 * or a deletion is pending) it walks the data folder;
 * a partition whose topic the metadata knows (same topic id) but whose replica list no longer
 * names this node is deleted once it has been seen so for {@code removed-replica-grace}. Only
 * partitions of topics the metadata holds are touched: a folder of an unknown topic is left
 * alone, as {@link PartitionRegistry} does (empty-looking metadata must never delete data).
 * This also covers a node that was down when its replica moved away: it deletes the stale copy
 * after it starts.
 */
@Component
public class ReplicaRemoval implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ReplicaRemoval.class);

    private final PartitionRegistry registry;
    private final MetadataWatcher metadata;
    private final StorageProperties props;
    private final Map<PartitionId, Long> unassignedSince = new HashMap<>();
    /** The metadata version of the last walk: an unchanged version with nothing pending needs no new one. */
    private long walkedVersion = -1;
    private ScheduledExecutorService timer;

    public ReplicaRemoval(PartitionRegistry registry, MetadataWatcher metadata, StorageProperties props) {
        this.registry = registry;
        this.metadata = metadata;
        this.props = props;
    }

    void check() {
        if (!metadata.isLoaded()) {
            return;
        }
        try {
            MetadataSnapshot m = metadata.current();
            if (m.version() == walkedVersion && unassignedSince.isEmpty()) {
                return;
            }
            walkedVersion = m.version();
            long now = System.currentTimeMillis();
            List<PartitionId> unassigned = unassigned(m);
            unassignedSince.keySet().retainAll(unassigned);
            for (PartitionId id : unassigned) {
                long since = unassignedSince.computeIfAbsent(id, k -> now);
                if (now - since >= props.removedReplicaGrace().toMillis()) {
                    log.info("{} holds no replica of {} any more: deleting its files", props.nodeId(), id);
                    registry.discard(id, () -> !assigned(metadata.current(), id));
                    unassignedSince.remove(id);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("removed-replica check failed: {}", e.toString());
        }
    }

    /** Whether the metadata {@code m} names this node as a replica of {@code id} (or does not know its topic). */
    private boolean assigned(MetadataSnapshot m, PartitionId id) {
        Optional<TopicInfo> t = m.topic(id.vhost(), id.topic()).filter(x -> x.id().equals(id.topicId()));
        return t.isEmpty() || (id.partition() < t.get().partitions() && t.get().partition(id.partition()).replicas().contains(props.nodeId()));
    }

    /** Partition folders of known topics that this node holds no replica of. */
    private List<PartitionId> unassigned(MetadataSnapshot m) throws IOException {
        Path data = registry.dataDir();
        if (!Files.isDirectory(data)) {
            return List.of();
        }
        try (Stream<Path> vhosts = Files.list(data)) {
            return vhosts.filter(Files::isDirectory).flatMap(v -> list(v).flatMap(topicDir -> partitions(m, v, topicDir))).toList();
        }
    }

    private Stream<PartitionId> partitions(MetadataSnapshot m, Path vhostDir, Path topicDir) {
        String vhost = vhostDir.getFileName().toString();
        String name = topicDir.getFileName().toString();
        int tilde = name.lastIndexOf('~');
        if (tilde < 0) {
            return Stream.empty();
        }
        String topic = name.substring(0, tilde);
        String topicId = name.substring(tilde + 1);
        Optional<TopicInfo> t = m.topic(vhost, topic).filter(x -> x.id().equals(topicId));
        if (t.isEmpty()) {
            return Stream.empty();
        }
        return list(topicDir).map(p -> p.getFileName().toString()).filter(s -> s.matches("\\d+")).map(Integer::parseInt)
                .filter(p -> p >= t.get().partitions() || !t.get().partition(p).replicas().contains(props.nodeId()))
                .map(p -> new PartitionId(vhost, topic, topicId, p));
    }

    private static Stream<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "replica-removal"));
        timer.scheduleWithFixedDelay(this::check, 1000, 1000, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        timer.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return timer != null && !timer.isShutdown();
    }
}
