package io.tributary.routing;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** {@code tributary.routing.*}: see application.yml for what each one means. */
@ConfigurationProperties("tributary.routing")
public record RoutingProperties(
        DataSize maxRequestBytes,
        Duration appendTimeout,
        Duration linger,
        DataSize maxBatchBytes) {
}
