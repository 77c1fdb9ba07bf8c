package io.tributary.coordinator.lease;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Part of the readiness probe: the active controller (with its epoch) and a standby are both
 * ready, each in its role: a standby is what makes a controller failover quick, and callers
 * find the active one themselves (a standby answers 503). Details name the role.
 */
@Component("controller")
public class ControllerHealthIndicator implements HealthIndicator {
    private final ControllerLeaseKeeper lease;

    public ControllerHealthIndicator(ControllerLeaseKeeper lease) {
        this.lease = lease;
    }

    @Override
    public Health health() {
        return lease.isActive()
                ? Health.up().withDetail("role", "active").withDetail("epoch", lease.epoch()).build()
                : Health.up().withDetail("role", "standby").build();
    }
}
