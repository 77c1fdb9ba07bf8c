package io.tributary.routing.storage;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
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
import io.tributary.protocol.cluster.InternalWebClients;
import io.tributary.protocol.cluster.LeaderCall;
import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.routing.RoutingProperties;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Sends record batches to partition leaders, guarded by Resilience4j: a circuit breaker and a
 * bulkhead per storage node (named {@code storage-<node>}, visible in
 * {@code /actuator/circuitbreakers}), a time limit per call, and a retry with exponential
 * backoff on {@code not-leader} and unreachable leaders, each retry after a metadata refresh
 * (the leader may have moved). The batch bytes are sent as built, never re-encoded.
 */
@Component
public class StorageClient {
    private final InternalWebClients clients;
    private final MetadataWatcher metadata;
    private final CircuitBreakerRegistry breakers;
    private final BulkheadRegistry bulkheads;
    private final CircuitBreakerConfig breakerConfig;
    private final Retry retry;
    private final TimeLimiter timeLimiter;

    public StorageClient(InternalWebClients clients, MetadataWatcher metadata, RoutingProperties props,
            CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads, RetryRegistry retries, TimeLimiterRegistry limiters) {
        this.clients = clients;
        this.metadata = metadata;
        this.breakers = breakers;
        this.bulkheads = bulkheads;
        this.breakerConfig = CircuitBreakerConfig.from(breakers.getConfiguration("storage").orElse(breakers.getDefaultConfig()))
                .recordException(StorageClient::isNodeFailure)
                .build();
        this.retry = retries.retry("storage-append", RetryConfig.custom()
                .maxAttempts(props.appendAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(50), 2.0, Duration.ofSeconds(1)))
                .retryOnException(LeaderCall::isRetriable)
                .build());
        this.timeLimiter = limiters.timeLimiter("storage-append", TimeLimiterConfig.custom()
                .timeoutDuration(props.appendTimeout()).cancelRunningFuture(true).build());
    }

    public Mono<AppendResponse> append(String vhost, String topic, int partition, ByteBuffer batch) {
        AtomicBoolean refreshFirst = new AtomicBoolean();
        return Mono.defer(() -> (refreshFirst.getAndSet(false) ? metadata.refresh().then().onErrorResume(e -> Mono.empty()) : Mono.<Void>empty())
                        .then(Mono.defer(() -> attempt(metadata.current(), vhost, topic, partition, batch))))
                .doOnError(LeaderCall::isRetriable, e -> refreshFirst.set(true))
                .transformDeferred(RetryOperator.of(retry));
    }

    private Mono<AppendResponse> attempt(MetadataSnapshot m, String vhost, String topic, int partition, ByteBuffer batch) {
        TopicInfo t = m.requireTopic(vhost, topic);
        PartitionInfo p = m.requirePartition(t, partition);
        String url = m.leaderUrl(p);
        String node = "storage-" + p.leader().replaceFirst("^storage-", "");
        return clients.forUrl(url).post()
                .uri(u -> u.path("/internal/partitions/{vhost}/{topic}/{partition}/append")
                        .queryParam("epoch", p.leaderEpoch()).build(vhost, topic, partition))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(batch.duplicate())
                .retrieve()
                .bodyToMono(AppendResponse.class)
                .transformDeferred(TimeLimiterOperator.of(timeLimiter))
                .transformDeferred(CircuitBreakerOperator.of(breakers.circuitBreaker(node, breakerConfig)))
                .transformDeferred(BulkheadOperator.of(bulkheads.bulkhead(node, "storage")))
                .onErrorMap(e -> toProblem(e, p.leader()));
    }

    /** What counts against a node's breaker: it did not answer, or answered with a server error. */
    static boolean isNodeFailure(Throwable t) {
        if (t instanceof TimeoutException) {
            return true;
        }
        return t instanceof TributaryException te
                && (te.type() == ProblemType.UNAVAILABLE || te.type() == ProblemType.INTERNAL_ERROR);
    }

    private static Throwable toProblem(Throwable e, String node) {
        if (e instanceof CallNotPermittedException) {
            return TributaryException.unavailable("storage node " + node + " is failing: its circuit breaker is open", e);
        }
        if (e instanceof BulkheadFullException) {
            return TributaryException.unavailable("too many appends in flight to storage node " + node, e);
        }
        if (e instanceof TimeoutException) {
            return TributaryException.unavailable("storage node " + node + " did not answer an append in time", e);
        }
        return e;
    }
}
