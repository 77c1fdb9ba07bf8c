package io.tributary.coordinator;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code tributary.coordinator.*}: see application.yml for what each one means. */
@ConfigurationProperties("tributary.coordinator")
public record CoordinatorProperties(
        String id,
        Duration leaseTtl,
        Duration nodePollInterval,
        Duration memberSessionTimeout,
        int maxPartitionsPerTopic) {
}
