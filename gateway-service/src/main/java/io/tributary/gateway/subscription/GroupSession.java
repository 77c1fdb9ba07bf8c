package io.tributary.gateway.subscription;

import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.cluster.CoordinatorClient;
import io.tributary.protocol.cluster.LeaderCall;
import io.tributary.protocol.metadata.GroupState;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A consumer connection's membership in its group: heartbeats the coordinator every
 * interval and emits each answer (the group's generation and this member's partitions in
 * it). Leaves the group when the stream ends. A heartbeat that fails because
 * the coordinator is briefly away keeps the last assignment; one that finds the subscription
 * gone ends the stream with that error.
 */
@Component
public class GroupSession {
    private static final Logger log = LoggerFactory.getLogger(GroupSession.class);

    private final CoordinatorClient coordinator;
    private final GatewayProperties props;

    public GroupSession(CoordinatorClient coordinator, GatewayProperties props) {
        this.coordinator = coordinator;
        this.props = props;
    }

    /** Every heartbeat's answer: the generation, and this member's partitions in it. */
    public Flux<GroupState> assignments(String vhost, String topic, String sub, String member) {
        return Flux.defer(() -> {
            // The generation whose partitions this member reads. concatMap starts a heartbeat only
            // after the previous one's partitions went downstream (where the consumer switched to
            // them synchronously), so each heartbeat can truthfully report the previous generation.
            AtomicLong applied = new AtomicLong(-1);
            return Flux.interval(Duration.ZERO, props.heartbeatInterval())
                    .onBackpressureDrop()
                    .concatMap(tick -> coordinator.heartbeat(vhost, topic, sub, member, applied.get())
                            .onErrorResume(LeaderCall::isRetriable, e -> {
                                log.debug("heartbeat of {} failed: {}", member, e.toString());
                                return Mono.empty();
                            }), 1)
                    .doOnNext(state -> applied.set(state.generation()));
        }).doFinally(signal -> coordinator.leave(vhost, topic, sub, member)
                .subscribe(ok -> { }, e -> log.debug("leave of {} failed: {}", member, e.toString())));
    }
}
