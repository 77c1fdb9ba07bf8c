package io.tributary.gateway.cluster;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Resilience4j around every call from the gateway to routing: a circuit breaker and a
 * bulkhead named {@code routing} (see {@code /actuator/circuitbreakers}), a time limit, and a
 * retry with backoff only when the connection was refused (the request never left, so even a
 * publish without ids cannot be stored twice by retrying it).
 */
@Component
public class RoutingGuard {
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final Retry retry;
    private final TimeLimiter timeLimiter;

    public RoutingGuard(CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads, RetryRegistry retries,
            TimeLimiterRegistry limiters) {
        CircuitBreakerConfig config = CircuitBreakerConfig.from(breakers.getConfiguration("routing")
                        .orElse(breakers.getDefaultConfig()))
                .recordException(RoutingGuard::isRoutingFailure)
                .build();
        this.breaker = breakers.circuitBreaker("routing", config);
        this.bulkhead = bulkheads.bulkhead("routing", "routing");
        this.retry = retries.retry("routing", RetryConfig.custom()
                .maxAttempts(3)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2.0))
                .retryOnException(RoutingGuard::connectionRefused)
                .build());
        this.timeLimiter = limiters.timeLimiter("routing", TimeLimiterConfig.custom()
                .timeoutDuration(Duration.ofSeconds(30)).cancelRunningFuture(true).build());
    }

    public <T> Mono<T> guard(Mono<T> call) {
        return call
                .transformDeferred(TimeLimiterOperator.of(timeLimiter))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .transformDeferred(BulkheadOperator.of(bulkhead))
                .onErrorMap(RoutingGuard::toProblem)
                .transformDeferred(RetryOperator.of(retry));
    }

    /** Routing did not answer, or answered with a server error. */
    static boolean isRoutingFailure(Throwable t) {
        return t instanceof TimeoutException || (t instanceof TributaryException te
                && (te.type() == ProblemType.UNAVAILABLE || te.type() == ProblemType.INTERNAL_ERROR)
                && te.getCause() != null);
    }

    static boolean connectionRefused(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable toProblem(Throwable e) {
        if (e instanceof CallNotPermittedException) {
            return TributaryException.unavailable("routing is failing: its circuit breaker is open", e);
        }
        if (e instanceof BulkheadFullException) {
            return TributaryException.unavailable("too many publishes in flight to routing", e);
        }
        if (e instanceof TimeoutException) {
            return TributaryException.unavailable("routing did not answer in time", e);
        }
        return e;
    }
}
