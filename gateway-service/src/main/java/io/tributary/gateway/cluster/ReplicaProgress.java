package io.tributary.gateway.cluster;

import io.tributary.protocol.cluster.InternalWebClients;
import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.NodeInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How far each replica of each partition has come, asked of every live storage node at once
 * ({@code GET /internal/replicas}, one call per node). A node that does not answer within two
 * seconds is left out: the views that show this say so by the replica's absence rather than
 * by failing.
 */
@Component
public class ReplicaProgress {
    private static final Duration ASK = Duration.ofSeconds(2);
    private final InternalWebClients clients;

    public ReplicaProgress(InternalWebClients clients) {
        this.clients = clients;
    }

    /** One replica as its node reports it. */
    public record Report(String vhost, String topic, int partition, int latestEpoch, long logEndOffset, long highWatermark,
            long logStartOffset, long sizeBytes) {
    }

    /** Per partition ({@link #key}), per node: that replica's report. */
    public Mono<Map<String, Map<String, Report>>> of(MetadataSnapshot m) {
        return Flux.fromIterable(m.metadata().nodes())
                .flatMap(n -> ask(n).map(reports -> Map.entry(n.id(), reports)))
                .collectList()
                .map(answers -> {
                    Map<String, Map<String, Report>> byPartition = new TreeMap<>();
                    for (Map.Entry<String, List<Report>> a : answers) {
                        for (Report r : a.getValue()) {
                            byPartition.computeIfAbsent(key(r.vhost(), r.topic(), r.partition()), k -> new TreeMap<>())
                                    .put(a.getKey(), r);
                        }
                    }
                    return byPartition;
                });
    }

    public static String key(String vhost, String topic, int partition) {
        return vhost + "/" + topic + "/" + partition;
    }

    private Mono<List<Report>> ask(NodeInfo node) {
        return clients.forUrl(node.url()).get().uri("/internal/replicas")
                .retrieve().bodyToMono(new ParameterizedTypeReference<List<Report>>() { })
                .timeout(ASK)
                .onErrorResume(e -> Mono.empty());
    }
}
