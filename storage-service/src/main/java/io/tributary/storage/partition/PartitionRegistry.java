package io.tributary.storage.partition;

import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.files.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * The partitions hosted on this node. A partition opens on first use (so a node with many
 * partitions only pays for the ones in use) and its files are deleted when its topic
 * disappears from the metadata while this node runs. Directories of topics deleted while the
 * node was down are left alone and reported: deleting data because metadata looks empty
 * (say, a Redis that lost its state) would be far worse than keeping it.
 */
@Component
public class PartitionRegistry implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(PartitionRegistry.class);

    private final Path dataDir;
    private final StorageProperties props;
    private final PartitionSettings settings;
    private final MetadataWatcher metadata;
    private final Scheduler disk;
    private final Map<PartitionId, Partition> open = new ConcurrentHashMap<>();
    private final Set<String> knownTopicIds = ConcurrentHashMap.newKeySet();
    private Disposable flusher;
    private volatile boolean running;
    private Disposable deletions;

    private final CleanShutdownMarker shutdownMarker;

    public PartitionRegistry(StorageProperties props, PartitionSettings settings, MetadataWatcher metadata, Scheduler diskScheduler,
            CleanShutdownMarker shutdownMarker) {
        this.shutdownMarker = shutdownMarker;
        this.dataDir = props.dataDir();
        this.props = props;
        this.settings = settings;
        this.metadata = metadata;
        this.disk = diskScheduler;
    }

    /** The partition, opening (and recovering) it if this is its first use. Blocks on disk. */
    public Partition get(PartitionId id) {
        knownTopicIds.add(id.topicId());
        return open.computeIfAbsent(id, p -> new Partition(p, p.directory(dataDir), settings));
    }



    /**
     * Closes the partition (if open) and deletes its files: this node no longer holds a replica
     * of it. A {@link #get} at the same moment waits and then finds it empty.
     */
    public void discard(PartitionId id, java.util.function.BooleanSupplier stillUnassigned) {
        Path dir = id.directory(dataDir);
        open.compute(id, (k, p) -> {
            // Checked again under the map's lock: a move may have named this node again meanwhile.
            if (!stillUnassigned.getAsBoolean()) {
                return p;
            }
            if (p != null) {
                p.close();
            }
            deleteRecursively(dir);
            return null;
        });
    }

    /** The data folder: {@code <vhost>/<topic>~<topicId>/<partition>} per partition (see {@link PartitionId}). */
    public Path dataDir() {
        return dataDir;
    }

    /** The partitions open on this node now. */
    public Map<PartitionId, Partition> openPartitions() {
        return Map.copyOf(open);
    }

    void deleteRemovedTopics(MetadataSnapshot snapshot) {
        Set<String> live = snapshot.metadata().topics().stream().map(TopicInfo::id).collect(Collectors.toSet());
        for (String topicId : Set.copyOf(knownTopicIds)) {
            if (live.contains(topicId)) {
                continue;
            }
            knownTopicIds.remove(topicId);
            for (PartitionId id : Set.copyOf(open.keySet())) {
                if (id.topicId().equals(topicId)) {
                    Partition p = open.remove(id);
                    p.close();
                    deleteRecursively(id.topicDirectory(dataDir));
                }
            }
        }
        for (TopicInfo t : snapshot.metadata().topics()) {
            knownTopicIds.add(t.id());
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            log.info("Deleted {}", dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    void flushAll() {
        for (Partition p : open.values()) {
            try {
                p.flush();
            } catch (RuntimeException e) {
                log.error("flush of {} failed: {}", p.id(), e.toString());
            }
        }
    }

    @Override
    public void start() {
        Directories.create(dataDir);
        long interval = props.flushInterval().toMillis();
        // Its own timer thread: the disk scheduler takes no time-based tasks, and a flush must not be interrupted.
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                r -> new Thread(r, "log-flusher"));
        timer.scheduleWithFixedDelay(this::flushAll, interval, interval, TimeUnit.MILLISECONDS);
        flusher = timer::shutdown;
        deletions = metadata.updates().publishOn(disk).subscribe(this::deleteRemovedTopics,
                e -> log.error("metadata listener failed", e));
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        flusher.dispose();
        deletions.dispose();
        open.values().forEach(Partition::close);
        open.clear();
        shutdownMarker.markClean();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts after the metadata watcher and stops before it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1;
    }
}
