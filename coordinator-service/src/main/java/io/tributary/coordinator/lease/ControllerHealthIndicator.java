package io.tributary.coordinator.lease;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Part of the readiness probe: ready once this coordinator is the active controller. */
@Component("controller")
public class ControllerHealthIndicator implements HealthIndicator {
    private final ControllerLeaseKeeper lease;

    public ControllerHealthIndicator(ControllerLeaseKeeper lease) {
        this.lease = lease;
    }

    @Override
    public Health health() {
        return lease.isActive()
                ? Health.up().withDetail("epoch", lease.epoch()).build()
                : Health.outOfService().withDetail("reason", "not the active controller").build();
    }
}
