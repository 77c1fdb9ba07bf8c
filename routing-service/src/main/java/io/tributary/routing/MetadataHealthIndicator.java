package io.tributary.routing;

import io.tributary.protocol.metadata.MetadataWatcher;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Part of the readiness probe: routing can place nothing before it has the cluster metadata. */
@Component("metadata")
public class MetadataHealthIndicator implements HealthIndicator {
    private final MetadataWatcher metadata;

    public MetadataHealthIndicator(MetadataWatcher metadata) {
        this.metadata = metadata;
    }

    @Override
    public Health health() {
        return metadata.isLoaded()
                ? Health.up().withDetail("version", metadata.current().version()).build()
                : Health.outOfService().withDetail("reason", "cluster metadata not loaded").build();
    }
}
