package io.tributary.protocol.cluster;

import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * A call to the leader of a partition that survives leadership moves: the leader is looked
 * up in the newest metadata on every attempt, and {@code not-leader} or an unreachable node
 * refreshes the metadata and tries again with backoff (50 ms doubling to 500 ms) for as long
 * as the failover window lasts. The window is sized to cover a leader's death: its node lease
 * lapsing, the controller electing another replica and the metadata reaching us, so a caller
 * sees a publish that took a few seconds rather than an error. Routing's appends and the
 * gateway's reads both go through here.
 */
public final class LeaderCall {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

    private final InternalWebClients clients;
    private final MetadataWatcher metadata;
    private final ServiceGuards guards;
    private final Duration failoverWindow;

    public LeaderCall(InternalWebClients clients, MetadataWatcher metadata, ServiceGuards guards, Duration failoverWindow) {
        this.clients = clients;
        this.metadata = metadata;
        this.guards = guards;
        this.failoverWindow = failoverWindow;
    }

    /** What a call needs: a client for the leader, and the partition as the metadata has it. */
    public record Target(WebClient leader, TopicInfo topic, PartitionInfo partition) {
    }

    /**
     * Calls the partition's leader through that node's {@link ServiceGuard} (its breaker and
     * bulkhead), following the leader for up to the failover window.
     */
    public <T> Mono<T> call(String vhost, String topic, int partition, Function<Target, Mono<T>> request) {
        return Mono.defer(() -> {
            long deadline = System.nanoTime() + failoverWindow.toNanos();
            return Mono.defer(() -> {
                        Target target = target(metadata.current(), vhost, topic, partition);
                        return guards.storageNode(target.partition().leader()).guard(request.apply(target));
                    })
                    .retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_BACKOFF)
                            .maxBackoff(MAX_BACKOFF)
                            .filter(e -> isRetriable(e) && !(e instanceof Offline) && System.nanoTime() - deadline < 0)
                            .doBeforeRetryAsync(signal -> metadata.refresh().then().onErrorResume(e -> Mono.empty()))
                            .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
        });
    }

    private Target target(MetadataSnapshot m, String vhost, String topic, int partition) {
        TopicInfo t = m.requireTopic(vhost, topic);
        PartitionInfo p = m.requirePartition(t, partition);
        if (p.isOffline()) {
            throw new Offline("partition " + partition + " of '" + topic + "' is offline: none of its in-sync replicas "
                    + p.isr() + " is live");
        }
        return new Target(clients.forUrl(m.leaderUrl(p)), t, p);
    }

    /**
     * The controller found no in-sync replica to lead the partition: answered at once (503,
     * Retry-After) rather than after the failover window, since no election is under way that
     * waiting could see through; it takes a replica coming back.
     */
    static final class Offline extends TributaryException {
        Offline(String detail) {
            super(ProblemType.UNAVAILABLE, detail, Duration.ofSeconds(5), null);
        }
    }

    /**
     * Leadership moved, or the node did not answer (refused, timed out, or the connection broke
     * mid-answer): worth a metadata refresh and another try. Every internal write is idempotent
     * (producer sequences, fenced and monotonic cursor commits), so retrying one that may have
     * been applied is safe.
     */
    public static boolean isRetriable(Throwable t) {
        if (t instanceof TributaryException te) {
            return te.type() == ProblemType.NOT_LEADER || te.type() == ProblemType.UNAVAILABLE;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.io.IOException || c instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
