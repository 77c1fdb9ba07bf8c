package io.tributary.protocol.cluster;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/**
 * Resilience4j around calls to one service (routing, the coordinator, or one storage node): a
 * circuit breaker and a bulkhead under the service's name (see {@code /actuator/circuitbreakers}),
 * an optional time limit, and an optional retry for a refused connection (the request never
 * left, so even a publish without ids cannot be stored twice by retrying it). Only the
 * service's own failures count against its breaker (unreachable, timed out); a 503 it relays
 * from further down does not. Built by {@link ServiceGuards}.
 */
public final class ServiceGuard {
    private final String name;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final Retry retryRefused;
    private final TimeLimiter timeLimiter;

    ServiceGuard(String name, CircuitBreaker breaker, Bulkhead bulkhead, Retry retryRefused, TimeLimiter timeLimiter) {
        this.name = name;
        this.breaker = breaker;
        this.bulkhead = bulkhead;
        this.retryRefused = retryRefused;
        this.timeLimiter = timeLimiter;
    }

    public String name() {
        return name;
    }

    public <T> Mono<T> guard(Mono<T> call) {
        Mono<T> limited = timeLimiter == null ? call : call.transformDeferred(TimeLimiterOperator.of(timeLimiter));
        Mono<T> guarded = limited
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .transformDeferred(BulkheadOperator.of(bulkhead))
                .onErrorMap(this::toProblem);
        return retryRefused == null ? guarded : guarded.transformDeferred(RetryOperator.of(retryRefused));
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
