package io.tributary.protocol.cluster;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every {@link ServiceGuard} of a service, made once per name: one per storage node (named
 * {@code storage-<node>}, used by {@link LeaderCall}) and any the service asks for by name
 * (the gateway's {@code routing} and {@code coordinator}). Breakers and bulkheads take the
 * Resilience4j configuration named {@code storage} for storage nodes, else {@code default}
 * (application.yml of each service).
 */
public final class ServiceGuards {
    private static final String STORAGE_CONFIG = "storage";
    private final CircuitBreakerRegistry breakers;
    private final BulkheadRegistry bulkheads;
    private final RetryRegistry retries;
    private final TimeLimiterRegistry limiters;
    private final Map<String, ServiceGuard> guards = new ConcurrentHashMap<>();

    public ServiceGuards(CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads, RetryRegistry retries,
            TimeLimiterRegistry limiters) {
        this.breakers = breakers;
        this.bulkheads = bulkheads;
        this.retries = retries;
        this.limiters = limiters;
    }

    /**
     * The guard of a service the caller talks to directly: {@code timeout} per call, and up to
     * three attempts when the connection is refused.
     */
    public ServiceGuard service(String name, Duration timeout) {
        return guards.computeIfAbsent(name, n -> build(n, "default", timeout, true));
    }

    /**
     * The guard of a storage node. No time limit (each call sets one that suits its long poll)
     * and no retry of its own: {@link LeaderCall} retries, against whichever node leads then.
     */
    public ServiceGuard storageNode(String node) {
        String name = node.startsWith("storage-") ? node : "storage-" + node;
        return guards.computeIfAbsent(name, n -> build(n, STORAGE_CONFIG, null, false));
    }

    private ServiceGuard build(String name, String config, Duration timeout, boolean retryRefused) {
        CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.from(
                        breakers.getConfiguration(config).orElse(breakers.getDefaultConfig()))
                .recordException(ServiceGuard::isServiceFailure)
                .build();
        BulkheadConfig bulkheadConfig = bulkheads.getConfiguration(config).orElse(bulkheads.getDefaultConfig());
        Retry retry = !retryRefused ? null : retries.retry(name, RetryConfig.custom()
                .maxAttempts(3)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2.0))
                .retryOnException(ServiceGuard::connectionRefused)
                .build());
        TimeLimiter limiter = timeout == null ? null
                : limiters.timeLimiter(name, TimeLimiterConfig.custom().timeoutDuration(timeout).cancelRunningFuture(true).build());
        return new ServiceGuard(name, breakers.circuitBreaker(name, breakerConfig), bulkheads.bulkhead(name, bulkheadConfig),
                retry, limiter);
    }
}
