package io.tributary.storage.retention;

import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionId;
import io.tributary.storage.partition.PartitionRegistry;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;

/**
 * Applies each topic's retention (retentionMs, retentionBytes) on a schedule to every
 * partition this node leads, deleting whole old segments ({@link RetentionPolicy}).
 */
@Component
public class RetentionEnforcer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(RetentionEnforcer.class);

    private final MetadataWatcher metadata;
    private final PartitionRegistry registry;
    private final StorageProperties props;
    private Disposable task;
    private volatile boolean running;

    public RetentionEnforcer(MetadataWatcher metadata, PartitionRegistry registry, StorageProperties props) {
        this.metadata = metadata;
        this.registry = registry;
        this.props = props;
    }

    void enforce() {
        if (!metadata.isLoaded()) {
            return;
        }
        MetadataSnapshot m = metadata.current();
        long now = System.currentTimeMillis();
        for (TopicInfo t : m.metadata().topics()) {
            if (t.retentionMs() < 0 && t.retentionBytes() < 0) {
                continue;
            }
            for (PartitionInfo p : t.assignments()) {
                if (!props.nodeId().equals(p.leader())) {
                    continue;
                }
                try {
                    Partition part = registry.get(new PartitionId(t.vhost(), t.name(), t.id(), p.partition()));
                    part.log().applyRetention(t.retentionMs(), t.retentionBytes(), now, part.delays().retentionFloor(part.highWatermark().value()));
                } catch (RuntimeException e) {
                    log.warn("retention of {}/{}/{} failed: {}", t.vhost(), t.name(), p.partition(), e.toString());
                }
            }
        }
    }

    @Override
    public void start() {
        long every = props.retentionCheckInterval().toMillis();
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                r -> new Thread(r, "retention"));
        timer.scheduleWithFixedDelay(this::enforce, every, every, TimeUnit.MILLISECONDS);
        task = timer::shutdown;
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        task.dispose();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
