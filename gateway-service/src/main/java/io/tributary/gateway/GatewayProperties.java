package io.tributary.gateway;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** {@code tributary.gateway.*}: see application.yml for what each one means. */
@ConfigurationProperties("tributary.gateway")
public record GatewayProperties(
        String routingUrl,
        DataSize maxRequestBytes,
        DataSize maxMessageBytes,
        Duration fetchWait,
        DataSize fetchMaxBytes,
        Duration heartbeatInterval,
        Duration sseCommitInterval,
        int defaultCredit,
        Duration idempotencyWindow,
        Duration maxDelay) {
}
