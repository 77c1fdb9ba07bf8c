package io.tributary.protocol.metadata;

import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import io.tributary.protocol.cluster.CoordinatorCall;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Keeps a service's copy of the cluster metadata current by long-polling the active controller
 * ({@code GET /internal/metadata?after=<version>&waitMs=...}): the coordinator answers as soon
 * as its version moves past the one we hold, or with the same snapshot when the wait ends.
 * A caller that misses (unknown topic, not-leader) calls {@link #refresh()} before failing,
 * so a topic created a moment ago is found without waiting for the next change.
 */
public class MetadataWatcher implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(MetadataWatcher.class);
    private static final Duration LONG_POLL = Duration.ofSeconds(20);

    private final CoordinatorCall coordinators;
    private final AtomicReference<MetadataSnapshot> current = new AtomicReference<>();
    private final Sinks.Many<MetadataSnapshot> updates = Sinks.many().replay().latest();
    private volatile Disposable loop;

    public MetadataWatcher(CoordinatorCall coordinators) {
        this.coordinators = coordinators;
    }

    /** The newest snapshot; {@code unavailable} before the first one arrived. */
    public MetadataSnapshot current() {
        MetadataSnapshot s = current.get();
        if (s == null) {
            throw TributaryException.unavailable("cluster metadata not loaded yet (is the coordinator up?)");
        }
        return s;
    }

    public boolean isLoaded() {
        return current.get() != null;
    }

    /** Every snapshot from now on, starting with the newest. */
    public Flux<MetadataSnapshot> updates() {
        return updates.asFlux();
    }

    /** Fetches the coordinator's snapshot now. */
    public Mono<MetadataSnapshot> refresh() {
        return fetch(-1, Duration.ZERO).map(this::accept);
    }

    /** The newest snapshot once its version is at least {@code version}, refreshing if needed. */
    public Mono<MetadataSnapshot> awaitVersion(long version) {
        MetadataSnapshot s = current.get();
        if (s != null && s.version() >= version) {
            return Mono.just(s);
        }
        return refresh().flatMap(fresh -> fresh.version() >= version ? Mono.just(fresh)
                : updates().filter(u -> u.version() >= version).next().timeout(Duration.ofSeconds(5)));
    }

    private Mono<ClusterMetadata> fetch(long after, Duration wait) {
        return coordinators.call(c -> c.get()
                .uri(u -> u.path("/internal/metadata").queryParam("after", after).queryParam("waitMs", wait.toMillis()).build())
                .retrieve()
                .bodyToMono(ClusterMetadata.class)
                .timeout(wait.plusSeconds(10)));
    }

    private MetadataSnapshot accept(ClusterMetadata m) {
        MetadataSnapshot fresh = new MetadataSnapshot(m);
        MetadataSnapshot result = current.accumulateAndGet(fresh,
                (old, neu) -> old == null || neu.version() > old.version() ? neu : old);
        if (result == fresh) {
            updates.emitNext(fresh, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        }
        return result;
    }

    @Override
    public void start() {
        loop = Flux.defer(() -> fetch(current.get() == null ? -1 : current.get().version(), LONG_POLL))
                .repeat()
                .doOnError(e -> log.debug("metadata watch failed: {}", e.toString()))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2)).transientErrors(true))
                .subscribe(this::accept);
    }

    @Override
    public void stop() {
        Disposable d = loop;
        if (d != null) {
            d.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable d = loop;
        return d != null && !d.isDisposed();
    }
}
