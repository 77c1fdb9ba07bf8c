package io.tributary.routing.storage;

import io.tributary.protocol.cluster.InternalWebClients;
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
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Sends a record batch to the leader of its partition. On {@code not-leader} or an
 * unreachable leader it refreshes the metadata and tries again (the leader may have moved),
 * with backoff, a bounded number of times; the batch bytes are sent as built, never re-encoded.
 */
@Component
public class StorageClient {
    private final InternalWebClients clients;
    private final MetadataWatcher metadata;
    private final RoutingProperties props;

    public StorageClient(InternalWebClients clients, MetadataWatcher metadata, RoutingProperties props) {
        this.clients = clients;
        this.metadata = metadata;
        this.props = props;
    }

    public Mono<AppendResponse> append(String vhost, String topic, int partition, ByteBuffer batch) {
        return Mono.defer(() -> appendOnce(metadata.current(), vhost, topic, partition, batch))
                .retryWhen(Retry.backoff(props.appendAttempts() - 1, Duration.ofMillis(50))
                        .maxBackoff(Duration.ofSeconds(1))
                        .filter(StorageClient::isRetriable)
                        .doBeforeRetryAsync(signal -> metadata.refresh().then())
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    private Mono<AppendResponse> appendOnce(MetadataSnapshot m, String vhost, String topic, int partition, ByteBuffer batch) {
        TopicInfo t = m.requireTopic(vhost, topic);
        PartitionInfo p = m.requirePartition(t, partition);
        String url = m.leaderUrl(p);
        return clients.forUrl(url).post()
                .uri(u -> u.path("/internal/partitions/{vhost}/{topic}/{partition}/append")
                        .queryParam("epoch", p.leaderEpoch()).build(vhost, topic, partition))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(batch.duplicate())
                .retrieve()
                .bodyToMono(AppendResponse.class)
                .timeout(props.appendTimeout())
                .onErrorMap(TimeoutException.class, e -> TributaryException.unavailable(
                        "storage node " + p.leader() + " did not answer an append within " + props.appendTimeout()));
    }

    static boolean isRetriable(Throwable t) {
        return t instanceof TributaryException te
                && (te.type() == ProblemType.NOT_LEADER || te.type() == ProblemType.UNAVAILABLE);
    }
}
