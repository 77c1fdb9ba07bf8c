package io.tributary.gateway.admin;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.cluster.ReplicaProgress;
import io.tributary.gateway.openapi.ApiExamples;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.metadata.ClusterMetadata;
import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import io.tributary.protocol.metadata.MetadataWatcher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The cluster at a glance: the active controller and its epoch; each live storage node with
 * the time left on its lease, what it leads and holds and whether it is being drained; per
 * partition the leader, leader epoch, replicas (with the ones being added and removed while it
 * moves), in-sync set, high watermark and each replica's log end offset; and the
 * counts of under-replicated (in-sync set smaller than the replica set) and offline (no live
 * leader) partitions.
 */
@RestController
@Tag(name = "Cluster", description = "Nodes and leadership")
public class ClusterController {
    private final MetadataWatcher metadata;
    private final ReplicaProgress progress;
    private final ReactiveStringRedisTemplate redis;
    private final RedisKeys keys;

    public ClusterController(MetadataWatcher metadata, ReplicaProgress progress, ReactiveStringRedisTemplate redis, RedisKeys keys) {
        this.metadata = metadata;
        this.progress = progress;
        this.redis = redis;
        this.keys = keys;
    }

    @GetMapping("/api/v1/cluster")
    @Operation(summary = "Controller and epoch, nodes and leases, partitions (leader, epoch, replicas, isr, high watermark)",
            responses = @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.CLUSTER))))
    public Mono<Map<String, Object>> cluster() {
        return metadata.refresh().flatMap(s -> Mono.zip(progress.of(s), leases(s.metadata().nodes()))
                .map(z -> view(s, z.getT1(), z.getT2())));
    }

    /** Milliseconds left on each live node's lease (absent if Redis did not say). */
    private Mono<Map<String, Long>> leases(List<NodeInfo> nodes) {
        return Flux.fromIterable(nodes)
                .flatMap(n -> redis.getExpire(keys.nodeLease(n.id())).map(d -> Map.entry(n.id(), d.toMillis()))
                        .timeout(Duration.ofSeconds(2)).onErrorResume(e -> Mono.empty()))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private static Map<String, Object> view(MetadataSnapshot s, Map<String, Map<String, ReplicaProgress.Report>> reports,
            Map<String, Long> leases) {
        ClusterMetadata m = s.metadata();
        Map<String, Integer> led = new TreeMap<>();
        Map<String, Integer> held = new TreeMap<>();
        int underReplicated = 0;
        int offline = 0;
        List<Map<String, Object>> partitions = new ArrayList<>();
        for (TopicInfo t : m.topics()) {
            for (PartitionInfo p : t.assignments()) {
                boolean isOffline = p.leader() == null || s.node(p.leader()).isEmpty();
                if (!isOffline) {
                    led.merge(p.leader(), 1, Integer::sum);
                }
                p.replicas().forEach(r -> held.merge(r, 1, Integer::sum));
                underReplicated += p.isr().size() < p.replicas().size() ? 1 : 0;
                offline += isOffline ? 1 : 0;
                partitions.add(partition(t, p, reports.getOrDefault(ReplicaProgress.key(t.vhost(), t.name(), p.partition()), Map.of())));
            }
        }
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeInfo n : m.nodes()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", n.id());
            node.put("url", n.url());
            node.put("leaseExpiresInMs", leases.get(n.id()));
            node.put("partitionsLed", led.getOrDefault(n.id(), 0));
            node.put("replicasHeld", held.getOrDefault(n.id(), 0));
            node.put("draining", m.draining().contains(n.id()));
            nodes.add(node);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("controller", m.controller());
        result.put("controllerEpoch", m.controllerEpoch());
        result.put("metadataVersion", m.version());
        result.put("nodes", nodes);
        result.put("underReplicatedPartitions", underReplicated);
        result.put("offlinePartitions", offline);
        result.put("partitions", partitions);
        return result;
    }

    private static Map<String, Object> partition(TopicInfo t, PartitionInfo p, Map<String, ReplicaProgress.Report> replicas) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("vhost", t.vhost());
        v.put("topic", t.name());
        v.put("partition", p.partition());
        v.put("leader", p.leader());
        v.put("leaderEpoch", p.leaderEpoch());
        v.put("replicas", p.replicas());
        v.put("isr", p.isr());
        if (p.isMoving()) {
            v.put("adding", p.adding());
            v.put("removing", p.removing());
        }
        ReplicaProgress.Report leader = p.leader() == null ? null : replicas.get(p.leader());
        v.put("highWatermark", leader == null ? null : leader.highWatermark());
        Map<String, Long> logEnds = new TreeMap<>();
        replicas.forEach((node, r) -> logEnds.put(node, r.logEndOffset()));
        v.put("replicaLogEndOffsets", logEnds);
        return v;
    }
}
