package io.tributary.gateway.cluster;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The gateway's {@link ServiceGuard}s: one for routing, one for the coordinator, and one per
 * storage node (named {@code storage-<node>}, created when first called), all from the
 * {@code default} Resilience4j configuration in application.yml.
 */
@Component
public class ServiceGuards {
    private final CircuitBreakerRegistry breakers;
    private final BulkheadRegistry bulkheads;
    private final RetryRegistry retries;
    private final TimeLimiterRegistry limiters;
    private final ServiceGuard routing;
    private final ServiceGuard coordinator;
    private final Map<String, ServiceGuard> storage = new ConcurrentHashMap<>();

    public ServiceGuards(CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads, RetryRegistry retries,
            TimeLimiterRegistry limiters) {
        this.breakers = breakers;
        this.bulkheads = bulkheads;
        this.retries = retries;
        this.limiters = limiters;
        this.routing = new ServiceGuard("routing", breakers, bulkheads, retries, limiters, Duration.ofSeconds(30));
        this.coordinator = new ServiceGuard("coordinator", breakers, bulkheads, retries, limiters, Duration.ofSeconds(10));
    }

    public ServiceGuard routing() {
        return routing;
    }

    public ServiceGuard coordinator() {
        return coordinator;
    }

    /** The guard of a storage node; no time limit of its own (each read sets one that suits its long poll). */
    public ServiceGuard storage(String node) {
        String name = node.startsWith("storage-") ? node : "storage-" + node;
        return storage.computeIfAbsent(name, n -> new ServiceGuard(n, breakers, bulkheads, retries, limiters, null));
    }
}
