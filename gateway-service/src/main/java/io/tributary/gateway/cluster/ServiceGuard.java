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
import reactor.core.publisher.Mono;

/**
 * Resilience4j around the gateway's calls to one service (routing, the coordinator, or one
 * storage node): a circuit breaker and a bulkhead under the service's name (see
 * {@code /actuator/circuitbreakers}), an optional time limit, and a retry with backoff only
 * when the connection was refused (the request never left, so even a publish without ids
 * cannot be stored twice by retrying it). Only the service's own failures count against its
 * breaker (unreachable, timed out); a 503 it relays from further down does not.
 */
public final class ServiceGuard {
    private final String name;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final Retry retry;
    private final TimeLimiter timeLimiter;

    ServiceGuard(String name, CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads, RetryRegistry retries,
            TimeLimiterRegistry limiters, Duration timeout) {
        this.name = name;
        CircuitBreakerConfig config = CircuitBreakerConfig.from(breakers.getDefaultConfig())
                .recordException(ServiceGuard::isServiceFailure)
                .build();
        this.breaker = breakers.circuitBreaker(name, config);
        this.bulkhead = bulkheads.bulkhead(name);
        this.retry = retries.retry(name, RetryConfig.custom()
                .maxAttempts(3)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2.0))
                .retryOnException(ServiceGuard::connectionRefused)
                .build());
        this.timeLimiter = timeout == null ? null
                : limiters.timeLimiter(name, TimeLimiterConfig.custom().timeoutDuration(timeout).cancelRunningFuture(true).build());
    }

    public <T> Mono<T> guard(Mono<T> call) {
        Mono<T> limited = timeLimiter == null ? call : call.transformDeferred(TimeLimiterOperator.of(timeLimiter));
        return limited
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .transformDeferred(BulkheadOperator.of(bulkhead))
                .onErrorMap(this::toProblem)
                .transformDeferred(RetryOperator.of(retry));
    }

    /** The service did not answer, or could not be reached. */
    static boolean isServiceFailure(Throwable t) {
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

    private Throwable toProblem(Throwable e) {
        if (e instanceof CallNotPermittedException) {
            return TributaryException.unavailable(name + " is failing: its circuit breaker is open", e);
        }
        if (e instanceof BulkheadFullException) {
            return TributaryException.unavailable("too many calls in flight to " + name, e);
        }
        if (e instanceof TimeoutException) {
            return TributaryException.unavailable(name + " did not answer in time", e);
        }
        return e;
    }
}
