package io.tributary.routing.storage;

import io.tributary.protocol.cluster.LeaderCall;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.Acks;
import io.tributary.routing.RoutingProperties;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Sends record batches to partition leaders through the shared {@link LeaderCall}: the leader
 * comes from the newest metadata on every attempt, each storage node has its own breaker and
 * bulkhead ({@code storage-<node>} in {@code /actuator/circuitbreakers}), and a leader that
 * moved or died is followed for the failover window. Retrying an append is safe: every batch
 * carries its producer id and sequence, so a batch the old attempt did store is recognised and
 * answered with its offsets. The batch bytes are sent as built, never re-encoded.
 */
@Component
public class StorageClient {
    private final LeaderCall leaders;
    private final Duration appendTimeout;

    public StorageClient(LeaderCall leaders, RoutingProperties props) {
        this.leaders = leaders;
        this.appendTimeout = props.appendTimeout();
    }

    public Mono<AppendResponse> append(String vhost, String topic, int partition, Acks acks, ByteBuffer batch) {
        return leaders.call(vhost, topic, partition, t -> t.leader().post()
                .uri(u -> u.path("/internal/partitions/{vhost}/{topic}/{partition}/append")
                        .queryParam("epoch", t.partition().leaderEpoch()).queryParam("acks", acks.wireName())
                        .build(vhost, topic, partition))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(batch.duplicate())
                .retrieve()
                .bodyToMono(AppendResponse.class)
                .timeout(appendTimeout)
                .onErrorMap(TimeoutException.class, e -> TributaryException.unavailable(
                        "storage node " + t.partition().leader() + " did not answer an append in time", e)));
    }
}
