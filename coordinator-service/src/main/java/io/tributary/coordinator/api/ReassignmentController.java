package io.tributary.coordinator.api;

import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.coordinator.reassignment.MoveRecord;
import io.tributary.coordinator.reassignment.MoveRequest;
import io.tributary.coordinator.reassignment.NodeDrain;
import io.tributary.coordinator.reassignment.Reassignments;
import io.tributary.coordinator.reassignment.Rebalancer;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Partition moves, as the gateway forwards them (cluster token):
 * <pre>
 * GET    /internal/cluster/reassignments                          {"inProgress":[move + placement],"done":[move]}
 * POST   /internal/cluster/reassignments                          {"partitions":[...],"copyBytesPerSecond"} -> 202 {"moves":[...]}
 * DELETE /internal/cluster/reassignments/{vhost}/{topic}/{p}      roll one move back -> the finished move
 * POST   /internal/cluster/rebalance?dryRun=true|false[&vhost=&topic=]  the plan (and, applied, the moves begun: 202)
 * POST   /internal/cluster/nodes/{node}/drain                     -> 202 {"node","moves","replicasHeld"}
 * </pre>
 */
@RestController
@RequestMapping("/internal/cluster")
public class ReassignmentController {
    private final Reassignments reassignments;
    private final NodeDrain drain;
    private final Rebalancer rebalancer;
    private final MetadataStore store;
    private final Offload offload;

    public ReassignmentController(Reassignments reassignments, NodeDrain drain, Rebalancer rebalancer, MetadataStore store,
            Offload offload) {
        this.reassignments = reassignments;
        this.drain = drain;
        this.rebalancer = rebalancer;
        this.store = store;
        this.offload = offload;
    }

    @GetMapping("/reassignments")
    public Mono<Map<String, Object>> list() {
        return offload.call(() -> {
            List<Map<String, Object>> inProgress = new ArrayList<>();
            List<MoveRecord> done = new ArrayList<>();
            for (MoveRecord m : store.moves()) {
                if (m.inProgress()) {
                    inProgress.add(withPlacement(m));
                } else {
                    done.add(m);
                }
            }
            done.sort(Comparator.comparing(MoveRecord::finishedAt, Comparator.nullsLast(Comparator.reverseOrder())));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("inProgress", inProgress);
            body.put("done", done);
            return body;
        });
    }

    /** A move in progress with the partition's placement now: who is still catching up. */
    private Map<String, Object> withPlacement(MoveRecord m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("move", m);
        TopicInfo t = store.topic(m.vhost(), m.topic());
        if (t != null && m.partition() < t.partitions()) {
            PartitionInfo p = t.partition(m.partition());
            v.put("leader", p.leader());
            v.put("isr", p.isr());
            v.put("adding", p.adding());
            v.put("removing", p.removing());
        }
        return v;
    }

    @PostMapping("/reassignments")
    public Mono<ResponseEntity<Map<String, Object>>> start(@RequestBody(required = false) MoveRequest request) {
        return offload.call(() -> ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(Map.<String, Object>of("moves", reassignments.start(request, "request"))));
    }

    @DeleteMapping("/reassignments/{vhost}/{topic}/{partition}")
    public Mono<MoveRecord> cancel(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition) {
        return offload.call(() -> reassignments.cancel(vhost, topic, partition));
    }

    @PostMapping("/rebalance")
    public Mono<ResponseEntity<Rebalancer.Plan>> rebalance(@RequestParam(defaultValue = "true") boolean dryRun,
            @RequestParam(required = false) Long copyBytesPerSecond, @RequestParam(required = false) String vhost,
            @RequestParam(required = false) String topic) {
        return offload.call(() -> {
            Rebalancer.Plan plan = rebalancer.rebalance(dryRun, copyBytesPerSecond, vhost, topic);
            return ResponseEntity.status(dryRun ? HttpStatus.OK : HttpStatus.ACCEPTED).body(plan);
        });
    }

    @PostMapping("/nodes/{node}/drain")
    public Mono<ResponseEntity<NodeDrain.Drain>> drain(@PathVariable String node, @RequestParam(required = false) Long copyBytesPerSecond) {
        return offload.call(() -> ResponseEntity.status(HttpStatus.ACCEPTED).body(drain.drain(node, copyBytesPerSecond)));
    }
}
