package io.tributary.routing.storage;

import io.tributary.protocol.cluster.InternalWebClients;
import io.tributary.protocol.cluster.LeaderCall;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.routing.RoutingProperties;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Sends a record batch to the leader of its partition, following leadership moves through
 * {@link LeaderCall}. The batch bytes are sent as built, never re-encoded.
 */
@Component
public class StorageClient {
    private final LeaderCall leaders;
    private final RoutingProperties props;

    public StorageClient(InternalWebClients clients, MetadataWatcher metadata, RoutingProperties props) {
        this.leaders = new LeaderCall(clients, metadata, props.appendAttempts());
        this.props = props;
    }

    public Mono<AppendResponse> append(String vhost, String topic, int partition, ByteBuffer batch) {
        return leaders.call(vhost, topic, partition, target -> target.leader().post()
                .uri(u -> u.path("/internal/partitions/{vhost}/{topic}/{partition}/append")
                        .queryParam("epoch", target.partition().leaderEpoch()).build(vhost, topic, partition))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(batch.duplicate())
                .retrieve()
                .bodyToMono(AppendResponse.class)
                .timeout(props.appendTimeout())
                .onErrorMap(TimeoutException.class, e -> TributaryException.unavailable("storage node "
                        + target.partition().leader() + " did not answer an append within " + props.appendTimeout())));
    }
}
