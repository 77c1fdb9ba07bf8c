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
 * refreshes the metadata and tries again with backoff. Routing's appends and the gateway's
 * fetches both go through here.
 */
public final class LeaderCall {
    private final InternalWebClients clients;
    private final MetadataWatcher metadata;
    private final int attempts;

    public LeaderCall(InternalWebClients clients, MetadataWatcher metadata, int attempts) {
        this.clients = clients;
        this.metadata = metadata;
        this.attempts = attempts;
    }

    /** What a call needs: a client for the leader, and the partition as the metadata has it. */
    public record Target(WebClient leader, TopicInfo topic, PartitionInfo partition) {
    }

    public <T> Mono<T> call(String vhost, String topic, int partition, Function<Target, Mono<T>> request) {
        return Mono.defer(() -> request.apply(target(metadata.current(), vhost, topic, partition)))
                .retryWhen(Retry.backoff(Math.max(0, attempts - 1), Duration.ofMillis(50))
                        .maxBackoff(Duration.ofSeconds(1))
                        .filter(LeaderCall::isRetriable)
                        .doBeforeRetryAsync(signal -> metadata.refresh().then().onErrorResume(e -> Mono.empty()))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    private Target target(MetadataSnapshot m, String vhost, String topic, int partition) {
        TopicInfo t = m.requireTopic(vhost, topic);
        PartitionInfo p = m.requirePartition(t, partition);
        return new Target(clients.forUrl(m.leaderUrl(p)), t, p);
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
