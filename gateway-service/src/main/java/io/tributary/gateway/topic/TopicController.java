package io.tributary.gateway.topic;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.cluster.CoordinatorClient;
import io.tributary.gateway.cluster.ReplicaProgress;
import io.tributary.gateway.cluster.StorageReader;
import io.tributary.gateway.openapi.ApiExamples;
import io.tributary.protocol.admin.TopicSpec;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.ProblemWebExceptionHandler;
import io.tributary.gateway.admin.JsonFields;
import java.util.Comparator;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Topics: create (idempotent), list, describe with partition bounds, delete. */
@RestController
@RequestMapping("/api/v1/vhosts/{vhost}/topics")
@Tag(name = "Topics", description = "Partitioned, replayable logs")
public class TopicController {
    private static final Set<String> SPEC_FIELDS = Set.of("partitions", "replicationFactor", "retentionMs", "retentionBytes", "flush",
            "minInSyncReplicas", "uncleanLeaderElection");
    private final CoordinatorClient coordinator;
    private final StorageReader storage;
    private final MetadataWatcher metadata;
    private final ReplicaProgress progress;

    public TopicController(CoordinatorClient coordinator, StorageReader storage, MetadataWatcher metadata, ReplicaProgress progress) {
        this.coordinator = coordinator;
        this.storage = storage;
        this.metadata = metadata;
        this.progress = progress;
    }

    @PutMapping("/{topic}")
    @Operation(summary = "Create a topic",
            description = "Idempotent: the same settings again answer 200 with the topic; different settings are a 409. "
                    + "Every field is optional: partitions 1, replicationFactor 3 (or the number of live storage nodes "
                    + "if fewer), minInSyncReplicas 2 with three or more replicas (else 1), uncleanLeaderElection false, "
                    + "retentionMs 7 days (-1 = forever), retentionBytes -1 (no limit), flush 'replicated' (or 'sync').",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = "application/json", examples = @ExampleObject(value = ApiExamples.TOPIC_SPEC))),
            responses = {
                    @ApiResponse(responseCode = "201", description = "Created", content = @Content(
                            mediaType = "application/json", examples = @ExampleObject(value = ApiExamples.TOPIC_VIEW))),
                    @ApiResponse(responseCode = "200", description = "Existed with the same settings"),
                    @ApiResponse(responseCode = "400", description = "Invalid name or settings", content = @Content(
                            mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_INVALID_NAME))),
                    @ApiResponse(responseCode = "404", description = "Unknown vhost", content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "409", description = "Exists with other settings", content = @Content(mediaType = "application/problem+json"))})
    public Mono<ResponseEntity<TopicView>> create(@PathVariable String vhost, @PathVariable String topic,
            @RequestBody(required = false) JsonNode body) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        JsonFields f = JsonFields.of(body, "topic settings", SPEC_FIELDS);
        TopicSpec spec = new TopicSpec(f.integer("partitions"), f.integer("replicationFactor"), f.longValue("retentionMs"),
                f.longValue("retentionBytes"), f.string("flush"), f.integer("minInSyncReplicas"), f.bool("uncleanLeaderElection"));
        return coordinator.putTopic(vhost, topic, spec)
                .flatMap(c -> progress.of(c.snapshot()).flatMap(reports -> view(c.body(), reports))
                        .map(v -> ResponseEntity.status(c.created() ? HttpStatus.CREATED : HttpStatus.OK).body(v)));
    }

    @GetMapping
    @Operation(summary = "List the topics of a vhost, with partition bounds",
            responses = @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.TOPIC_LIST))))
    public Mono<Map<String, Object>> list(@PathVariable String vhost) {
        Names.require("vhost", vhost);
        return metadata.refresh().flatMap(m -> {
            m.requireVhost(vhost);
            return progress.of(m).flatMap(reports -> Flux.fromIterable(m.metadata().topics()).filter(t -> t.vhost().equals(vhost))
                    .flatMapSequential(t -> view(t, reports)).sort(Comparator.comparing(TopicView::name)).collectList());
        }).map(list -> Map.of("topics", list));
    }

    @GetMapping("/{topic}")
    @Operation(summary = "Describe a topic: leader, replicas, isr, startOffset and endOffset per partition",
            responses = {
                    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = ApiExamples.TOPIC_VIEW))),
                    @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json",
                            examples = @ExampleObject(value = ApiExamples.PROBLEM_NOT_FOUND)))})
    public Mono<TopicView> describe(@PathVariable String vhost, @PathVariable String topic) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        return metadata.refresh().flatMap(m -> {
            TopicInfo t = m.requireTopic(vhost, topic);
            return progress.of(m).flatMap(reports -> view(t, reports));
        });
    }

    @DeleteMapping("/{topic}")
    @Operation(summary = "Delete a topic, its data and its subscriptions",
            responses = {@ApiResponse(responseCode = "204", description = "Deleted"),
                    @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json",
                            examples = @ExampleObject(value = ApiExamples.PROBLEM_NOT_FOUND)))})
    public Mono<ResponseEntity<Void>> delete(@PathVariable String vhost, @PathVariable String topic) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        return coordinator.deleteTopic(vhost, topic).thenReturn(ResponseEntity.noContent().build());
    }

    private Mono<TopicView> view(TopicInfo t, Map<String, Map<String, ReplicaProgress.Report>> reports) {
        return Flux.fromIterable(t.assignments())
                .flatMapSequential(p -> partitionView(t, p, reports.getOrDefault(ReplicaProgress.key(t.vhost(), t.name(),
                        p.partition()), Map.of())))
                .collectList()
                .map(parts -> TopicView.of(t, parts));
    }

    private Mono<TopicView.PartitionView> partitionView(TopicInfo t, PartitionInfo p, Map<String, ReplicaProgress.Report> replicas) {
        Map<String, Long> logEnds = new java.util.TreeMap<>();
        replicas.forEach((node, r) -> logEnds.put(node, r.logEndOffset()));
        return storage.offsets(t.vhost(), t.name(), p.partition(), null)
                .map(o -> new TopicView.PartitionView(p.partition(), p.leader(), p.replicas(), p.isr(), p.leaderEpoch(),
                        o.startOffset(), o.endOffset(), o.highWatermark(), logEnds, o.sizeBytes(), null))
                .onErrorResume(e -> Mono.just(new TopicView.PartitionView(p.partition(), p.leader(), p.replicas(), p.isr(),
                        p.leaderEpoch(), null, null, null, logEnds, null, ProblemWebExceptionHandler.toProblem(e).detail())));
    }
}
