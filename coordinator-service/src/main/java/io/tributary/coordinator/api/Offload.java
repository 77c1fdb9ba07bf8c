package io.tributary.coordinator.api;

import io.tributary.coordinator.lease.ControllerLeaseKeeper;
import java.util.concurrent.Callable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Runs a controller action off the event loop (the services block on Redis) and only while
 * this coordinator is the active controller. The scheduler never interrupts a running call
 * (see {@link io.tributary.protocol.blocking.BlockingScheduler}): a caller that hangs up
 * mid-call must not turn into a RedisCommandInterruptedException.
 */
@Component
public class Offload {
    private final ControllerLeaseKeeper lease;
    private final Scheduler redisScheduler;

    public Offload(ControllerLeaseKeeper lease, Scheduler redisScheduler) {
        this.lease = lease;
        this.redisScheduler = redisScheduler;
    }

    public <T> Mono<T> call(Callable<T> action) {
        return Mono.fromCallable(() -> {
            lease.requireActive();
            return action.call();
        }).subscribeOn(redisScheduler);
    }
}
