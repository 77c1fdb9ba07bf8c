package io.tributary.protocol.metadata;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness for services that can do nothing useful before they hold the cluster metadata
 * (routing, gateway). Register as a bean named {@code metadata} and include it in the
 * readiness group.
 */
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
