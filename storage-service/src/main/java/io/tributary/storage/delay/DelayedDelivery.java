package io.tributary.storage.delay;

import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.partition.LedPartition;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionId;
import io.tributary.storage.partition.PartitionRegistry;
import io.tributary.storage.partition.PartitionResolver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Releases due delayed records on the partitions this node leads: every {@link #TICK_MS} it
 * asks each partition's {@link DelayIndex} for what is due and appends the released copies
 * ({@link ReleasedCopies}) through the same idempotent, epoch-checked append a publish takes,
 * so followers copy them as any other batch and consumers of every kind read them as new
 * messages. Only the leader releases, and only while it holds its node lease (the resolver
 * refuses otherwise). A release that fails (a lapsed lease, a full disk) is handed back and
 * tried at the next tick; one that reached the log and was lost in a leader change is cut
 * from that log and released again by the new leader (see {@link DelayIndex}).
 *
 * <p>Partitions open on first use; so that a restarted node releases on time even before any
 * client touches a partition, every second it opens the partitions the metadata says it leads.
 */
@Component
public class DelayedDelivery implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(DelayedDelivery.class);
    /** How often due records are looked for: the lateness a release adds, at most. */
    static final long TICK_MS = 10;
    /** Released copies per appended batch. */
    static final int BATCH = 500;
    /** Batches per partition and tick: 10,000 records due at once go out in one tick. */
    static final int MAX_BATCHES_PER_TICK = 20;
    private static final int TICKS_PER_OPEN = 100;

    private final PartitionRegistry registry;
    private final PartitionResolver resolver;
    private final MetadataWatcher metadata;
    private final String nodeId;
    private ScheduledExecutorService timer;
    private long ticks;
    private volatile boolean running;

    public DelayedDelivery(PartitionRegistry registry, PartitionResolver resolver, MetadataWatcher metadata, StorageProperties props) {
        this.registry = registry;
        this.resolver = resolver;
        this.metadata = metadata;
        this.nodeId = props.nodeId();
    }

    void tick() {
        try {
            if (ticks++ % TICKS_PER_OPEN == 0) {
                openLedPartitions();
            }
            long now = System.currentTimeMillis();
            for (Map.Entry<PartitionId, Partition> e : registry.openPartitions().entrySet()) {
                if (e.getValue().delays().nextDue() <= now) {
                    release(e.getKey(), now);
                }
            }
        } catch (RuntimeException e) {
            log.warn("delayed delivery: {}", e.toString());
        }
    }

    private void release(PartitionId id, long now) {
        LedPartition led = resolver.leaderNow(id.vhost(), id.topic(), id.partition());
        if (led == null) {
            return; // a follower, or fenced: the leader releases
        }
        Partition p = led.partition();
        for (int round = 0; round < MAX_BATCHES_PER_TICK; round++) {
            List<Long> due = p.delays().takeDue(now, BATCH);
            if (due.isEmpty()) {
                return;
            }
            try {
                ReleasedCopies.Built built = ReleasedCopies.of(p.log(), due);
                p.delays().forget(built.missing());
                if (built.batch() != null) {
                    p.append(built.batch(), led.leaderEpoch(), led.syncFlush()).block(Duration.ofSeconds(30));
                }
            } catch (RuntimeException e) {
                log.warn("{}: releasing {} delayed records failed, retrying: {}", id, due.size(), e.toString());
                return;
            } finally {
                p.delays().abandon(due); // whatever the log did not take is pending again
            }
        }
    }

    private void openLedPartitions() {
        if (!metadata.isLoaded()) {
            return;
        }
        MetadataSnapshot m = metadata.current();
        for (TopicInfo t : m.metadata().topics()) {
            for (PartitionInfo p : t.assignments()) {
                if (nodeId.equals(p.leader())) {
                    registry.get(new PartitionId(t.vhost(), t.name(), t.id(), p.partition()));
                }
            }
        }
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "delayed-delivery"));
        timer.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        timer.shutdown(); // not shutdownNow: an interrupt in the middle of a write would close the segment's channel
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
