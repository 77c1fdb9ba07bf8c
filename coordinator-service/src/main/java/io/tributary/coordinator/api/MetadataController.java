package io.tributary.coordinator.api;

import io.tributary.coordinator.lease.ControllerLeaseKeeper;
import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.metadata.ClusterMetadata;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The metadata change stream: a long poll that answers when the version moves past {@code after}. */
@RestController
public class MetadataController {
    private static final long MAX_WAIT_MS = 30_000;
    private final MetadataStore store;
    private final ControllerLeaseKeeper lease;

    public MetadataController(MetadataStore store, ControllerLeaseKeeper lease) {
        this.store = store;
        this.lease = lease;
    }

    @GetMapping("/internal/metadata")
    public Mono<ClusterMetadata> metadata(@RequestParam(defaultValue = "-1") long after,
            @RequestParam(defaultValue = "0") long waitMs) {
        if (!lease.isActive() || !store.isLoaded()) {
            return Mono.error(TributaryException.unavailable("the coordinator is not the active controller yet"));
        }
        long wait = Math.max(0, Math.min(waitMs, MAX_WAIT_MS));
        if (wait == 0 || store.current().version() != after) {
            return Mono.just(store.current());
        }
        return store.awaitChange(after, Duration.ofMillis(wait));
    }
}
