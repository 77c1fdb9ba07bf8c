package io.tributary.gateway.admin;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.openapi.ApiExamples;
import io.tributary.protocol.metadata.ClusterMetadata;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.NodeInfo;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The cluster at a glance: the controller, live storage nodes, partitions each leads, under-replicated partitions. */
@RestController
@Tag(name = "Cluster", description = "Nodes and leadership")
public class ClusterController {
    private final MetadataWatcher metadata;

    public ClusterController(MetadataWatcher metadata) {
        this.metadata = metadata;
    }

    @GetMapping("/api/v1/cluster")
    @Operation(summary = "Nodes, controller, partitions led, under-replicated partitions",
            responses = @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.CLUSTER))))
    public Mono<Map<String, Object>> cluster() {
        return metadata.refresh().map(s -> {
            ClusterMetadata m = s.metadata();
            Map<String, Integer> led = new LinkedHashMap<>();
            int underReplicated = 0;
            int offline = 0;
            for (TopicInfo t : m.topics()) {
                for (PartitionInfo p : t.assignments()) {
                    led.merge(p.leader(), 1, Integer::sum);
                    if (p.isr().size() < p.replicas().size()) {
                        underReplicated++;
                    }
                    if (s.node(p.leader()).isEmpty()) {
                        offline++;
                    }
                }
            }
            List<Map<String, Object>> nodes = new ArrayList<>();
            for (NodeInfo n : m.nodes()) {
                Map<String, Object> node = new LinkedHashMap<>();
                node.put("id", n.id());
                node.put("url", n.url());
                node.put("partitionsLed", led.getOrDefault(n.id(), 0));
                nodes.add(node);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("controller", m.controller());
            result.put("metadataVersion", m.version());
            result.put("nodes", nodes);
            result.put("underReplicatedPartitions", underReplicated);
            result.put("offlinePartitions", offline);
            return result;
        });
    }
}
