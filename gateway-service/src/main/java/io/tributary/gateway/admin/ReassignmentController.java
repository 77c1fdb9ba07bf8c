package io.tributary.gateway.admin;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.tributary.gateway.openapi.ApiExamples;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.cluster.CoordinatorClient;
import io.tributary.gateway.cluster.ReplicaProgress;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Scale-out, forwarded to the active controller (its {@code reassignment} package holds the
 * logic): partition moves, rebalance and drain. This class only checks the request shape
 * strictly (an unknown field is a 400, not a silently ignored typo) and adds to the list of
 * moves what each new replica has copied so far, as its node reports it.
 */
@RestController
@Tag(name = "Cluster", description = "Nodes and leadership")
public class ReassignmentController {
    private static final Set<String> BODY_FIELDS = Set.of("partitions", "copyBytesPerSecond");
    private static final Set<String> TARGET_FIELDS = Set.of("vhost", "topic", "partition", "replicas");

    private final CoordinatorClient coordinator;
    private final MetadataWatcher metadata;
    private final ReplicaProgress progress;

    public ReassignmentController(CoordinatorClient coordinator, MetadataWatcher metadata, ReplicaProgress progress) {
        this.coordinator = coordinator;
        this.metadata = metadata;
        this.progress = progress;
    }

    @GetMapping("/api/v1/cluster/reassignments")
    @Operation(summary = "Partition moves in progress (phase, bytes copied per new replica) and done (completed or rolled back)",
            responses = @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.REASSIGNMENTS))))
    public Mono<JsonNode> list() {
        return coordinator.cluster(HttpMethod.GET, "/reassignments", null)
                .flatMap(r -> metadata.refresh().flatMap(progress::of).map(reports -> withProgress(r.getBody(), reports)));
    }

    /** Each move in progress with its phase and, per new replica, its bytes and how far behind its leader it is. */
    private static JsonNode withProgress(JsonNode body, Map<String, Map<String, ReplicaProgress.Report>> reports) {
        for (JsonNode item : body.path("inProgress")) {
            ObjectNode o = (ObjectNode) item;
            JsonNode move = o.path("move");
            Map<String, ReplicaProgress.Report> replicas = reports.getOrDefault(
                    ReplicaProgress.key(move.path("vhost").asString(), move.path("topic").asString(), move.path("partition").asInt()), Map.of());
            ReplicaProgress.Report leader = replicas.get(o.path("leader").asString(""));
            List<String> isr = new ArrayList<>();
            o.path("isr").forEach(n -> isr.add(n.asString()));
            boolean allInSync = true;
            ObjectNode copied = o.putObject("copied");
            for (JsonNode n : o.path("adding")) {
                String node = n.asString();
                allInSync &= isr.contains(node);
                ReplicaProgress.Report r = replicas.get(node);
                ObjectNode c = copied.putObject(node);
                c.put("inSync", isr.contains(node));
                c.put("bytesCopied", r == null ? null : r.sizeBytes());
                c.put("logEndOffset", r == null ? null : r.logEndOffset());
                c.put("offsetsBehind", r == null || leader == null ? null : Math.max(0, leader.logEndOffset() - r.logEndOffset()));
            }
            o.put("leaderBytes", leader == null ? null : leader.sizeBytes());
            o.put("phase", allInSync ? "completing" : "copying");
        }
        return body;
    }

    @PostMapping("/api/v1/cluster/reassignments")
    @Operation(summary = "Move partitions: {\"partitions\":[{\"vhost\",\"topic\",\"partition\",\"replicas\":[...]}], "
            + "\"copyBytesPerSecond\"} -> 202. New replicas copy the log (capped at copyBytesPerSecond each while out of sync; "
            + "0 = no cap), then the old ones leave and the first target replica leads.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.REASSIGNMENT))),
            responses = {
                    @ApiResponse(responseCode = "202", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = ApiExamples.MOVES_STARTED))),
                    @ApiResponse(responseCode = "400", description = "Unknown or dead node, a node twice, too few replicas",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "409", description = "The partition is already moving",
                            content = @Content(mediaType = "application/problem+json"))})
    public Mono<ResponseEntity<JsonNode>> start(@RequestBody(required = false) JsonNode body) {
        return coordinator.cluster(HttpMethod.POST, "/reassignments", request(body));
    }

    /** The body checked field by field and rebuilt, so the controller gets only what it understands. */
    private static Map<String, Object> request(JsonNode body) {
        JsonFields f = JsonFields.of(body, "reassignment", BODY_FIELDS);
        JsonNode partitions = f.get("partitions");
        if (partitions == null || !partitions.isArray() || partitions.isEmpty()) {
            throw TributaryException.invalidArgument("reassignment: partitions must be a non-empty array of "
                    + "{\"vhost\",\"topic\",\"partition\",\"replicas\":[...]}");
        }
        List<Map<String, Object>> targets = new ArrayList<>();
        for (JsonNode p : partitions) {
            JsonFields t = JsonFields.of(p, "reassignment partition", TARGET_FIELDS);
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("vhost", Names.require("vhost", required(t.string("vhost"), "vhost")));
            target.put("topic", Names.require("topic", required(t.string("topic"), "topic")));
            target.put("partition", required(t.integer("partition"), "partition"));
            target.put("replicas", nodeList(t.get("replicas")));
            targets.add(target);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("partitions", targets);
        out.put("copyBytesPerSecond", f.longValue("copyBytesPerSecond"));
        return out;
    }

    private static <T> T required(T value, String name) {
        if (value == null) {
            throw TributaryException.invalidArgument("reassignment partition: " + name + " is required");
        }
        return value;
    }

    private static List<String> nodeList(JsonNode replicas) {
        if (replicas == null || !replicas.isArray() || replicas.isEmpty()) {
            throw TributaryException.invalidArgument("reassignment partition: replicas must be a non-empty array of node ids");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode r : replicas) {
            if (!r.isString() || r.asString().isBlank()) {
                throw TributaryException.invalidArgument("reassignment partition: replicas holds node ids (strings), not " + r);
            }
            out.add(r.asString());
        }
        return out;
    }

    @DeleteMapping("/api/v1/cluster/reassignments/{vhost}/{topic}/{partition}")
    @Operation(summary = "Cancel one partition's move: it rolls back to its original replicas",
            responses = @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.MOVE))))
    public Mono<ResponseEntity<JsonNode>> cancel(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        return coordinator.cluster(HttpMethod.DELETE, "/reassignments/" + vhost + "/" + topic + "/" + partition, null);
    }

    @PostMapping("/api/v1/cluster/rebalance")
    @Operation(summary = "Plan (dryRun=true, the default) or plan and start (dryRun=false) moves that spread replicas and "
            + "preferred leaders evenly over the live nodes with as few copies as possible; vhost (and topic) scope it",
            responses = @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.REBALANCE_PLAN))))
    public Mono<ResponseEntity<JsonNode>> rebalance(@RequestParam(required = false) String dryRun,
            @RequestParam(required = false) Long copyBytesPerSecond, @RequestParam(required = false) String vhost,
            @RequestParam(required = false) String topic) {
        String scope = (vhost == null ? "" : "&vhost=" + Names.require("vhost", vhost))
                + (topic == null ? "" : "&topic=" + Names.require("topic", topic));
        boolean dry = dryRun == null || dryRun.equals("true");
        if (dryRun != null && !dryRun.equals("true") && !dryRun.equals("false")) {
            throw TributaryException.invalidArgument("dryRun must be true or false, not '" + dryRun + "'");
        }
        return coordinator.cluster(HttpMethod.POST, "/rebalance?dryRun=" + dry + rate(copyBytesPerSecond) + scope, null);
    }

    @PostMapping("/api/v1/cluster/nodes/{node}/drain")
    @Operation(summary = "Move every replica off a storage node (202); it then holds nothing and can be stopped",
            responses = {
                    @ApiResponse(responseCode = "202", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = ApiExamples.DRAIN))),
                    @ApiResponse(responseCode = "409", description = "Too few nodes would remain for a topic's replication factor",
                            content = @Content(mediaType = "application/problem+json"))})
    public Mono<ResponseEntity<JsonNode>> drain(@PathVariable String node, @RequestParam(required = false) Long copyBytesPerSecond) {
        if (!node.matches("[A-Za-z0-9._-]{1,64}")) {
            throw TributaryException.invalidArgument("'" + node + "' is not a storage node id");
        }
        return coordinator.cluster(HttpMethod.POST, "/nodes/" + node + "/drain" + rate(copyBytesPerSecond).replaceFirst("^&", "?"), null);
    }

    private static String rate(Long copyBytesPerSecond) {
        return copyBytesPerSecond == null ? "" : "&copyBytesPerSecond=" + copyBytesPerSecond;
    }
}
