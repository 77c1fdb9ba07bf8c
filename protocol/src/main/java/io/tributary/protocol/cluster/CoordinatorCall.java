package io.tributary.protocol.cluster;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * A call to the active controller among several coordinators ({@code tributary.coordinator.url}
 * lists them, comma-separated). Only the active one answers; a standby answers 503 and a dead
 * one does not answer, so either moves this caller on to the next URL, which it then keeps
 * using while it answers. Each call goes around the list up to twice, with a short backoff,
 * which covers a standby taking over (at most two controller lease periods) only partly: the
 * caller's own retry (the metadata watch loop, the in-sync maintainer's next check, a client
 * honouring Retry-After) covers the rest. Every controller write is idempotent, so a call
 * repeated against the next coordinator after a timeout does no harm.
 */
public final class CoordinatorCall {
    private final List<String> urls;
    private final List<WebClient> coordinators;
    private final AtomicInteger preferred = new AtomicInteger();

    public CoordinatorCall(InternalWebClients clients, String commaSeparatedUrls) {
        this.urls = Arrays.stream(commaSeparatedUrls.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("tributary.coordinator.url names no coordinator");
        }
        this.coordinators = urls.stream().map(clients::forUrl).toList();
    }

    public List<String> urls() {
        return urls;
    }

    /** The URL this caller currently sends to: the last one that answered as the controller. */
    public String preferredUrl() {
        return urls.get(preferred.get());
    }

    public <T> Mono<T> call(Function<WebClient, Mono<T>> request) {
        return Mono.defer(() -> {
                    int index = preferred.get();
                    return request.apply(coordinators.get(index))
                            .doOnError(LeaderCall::isRetriable, e -> preferred.compareAndSet(index, (index + 1) % urls.size()));
                })
                .retryWhen(Retry.backoff(2L * urls.size() - 1, Duration.ofMillis(100))
                        .maxBackoff(Duration.ofSeconds(1))
                        .filter(LeaderCall::isRetriable)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }
}
