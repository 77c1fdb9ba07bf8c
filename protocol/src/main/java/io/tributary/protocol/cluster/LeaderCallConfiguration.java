package io.tributary.protocol.cluster;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.tributary.protocol.metadata.MetadataWatcher;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one way services call partition leaders ({@link LeaderCall}, guarded per node by
 * {@link ServiceGuards}), imported by the gateway and routing. The failover window,
 * {@code tributary.leader-call.failover-window} (10 s), is how long a call keeps following a
 * leader that moved or died before it answers 503: longer than a node lease (5 s) plus an
 * election, so a leader's death costs a caller a slower answer, not an error.
 */
@Configuration(proxyBeanMethods = false)
public class LeaderCallConfiguration {

    @Bean
    public ServiceGuards serviceGuards(CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads, RetryRegistry retries,
            TimeLimiterRegistry limiters) {
        return new ServiceGuards(breakers, bulkheads, retries, limiters);
    }

    @Bean
    public LeaderCall leaderCall(InternalWebClients clients, MetadataWatcher metadata, ServiceGuards guards,
            @Value("${tributary.leader-call.failover-window:10s}") Duration failoverWindow) {
        return new LeaderCall(clients, metadata, guards, failoverWindow);
    }
}
