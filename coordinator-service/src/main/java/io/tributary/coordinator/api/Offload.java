package io.tributary.coordinator.api;

import io.tributary.coordinator.lease.ControllerLeaseKeeper;
import java.util.concurrent.Callable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Runs a controller action off the event loop (the services block on Redis) and only while
 * this coordinator is the active controller.
 */
@Component
public class Offload {
    private final ControllerLeaseKeeper lease;

    public Offload(ControllerLeaseKeeper lease) {
        this.lease = lease;
    }

    public <T> Mono<T> call(Callable<T> action) {
        return Mono.fromCallable(() -> {
            lease.requireActive();
            return action.call();
        }).subscribeOn(Schedulers.boundedElastic());
    }
}
