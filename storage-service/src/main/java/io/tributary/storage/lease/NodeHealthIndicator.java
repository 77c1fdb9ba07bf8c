package io.tributary.storage.lease;

import io.tributary.protocol.metadata.MetadataWatcher;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Part of the readiness probe: ready once the node holds its lease and has the cluster metadata. */
@Component("node")
public class NodeHealthIndicator implements HealthIndicator {
    private final NodeLeaseKeeper lease;
    private final MetadataWatcher metadata;

    public NodeHealthIndicator(NodeLeaseKeeper lease, MetadataWatcher metadata) {
        this.lease = lease;
        this.metadata = metadata;
    }

    @Override
    public Health health() {
        if (!lease.isHeld()) {
            return Health.outOfService().withDetail("reason", "node lease not held").build();
        }
        if (!metadata.isLoaded()) {
            return Health.outOfService().withDetail("reason", "cluster metadata not loaded").build();
        }
        return Health.up().build();
    }
}
