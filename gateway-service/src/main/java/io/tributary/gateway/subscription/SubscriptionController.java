package io.tributary.gateway.subscription;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.admin.JsonFields;
import io.tributary.gateway.cluster.CoordinatorClient;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.gateway.cluster.SharedLeaderClient;
import io.tributary.gateway.cluster.StorageReader;
import io.tributary.gateway.openapi.ApiExamples;
import io.tributary.protocol.admin.SubscriptionSpec;
import io.tributary.protocol.metadata.GroupMembers;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.ProblemWebExceptionHandler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import tools.jackson.databind.JsonNode;

/** Declaring and describing subscriptions. */
@RestController
@RequestMapping("/api/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}")
@Tag(name = "Subscriptions", description = "Named consumers of a topic")
public class SubscriptionController {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionController.class);
    private static final Set<String> FIELDS = Set.of("type", "startAt", "filter", "ackTimeoutMs", "maxDeliveries", "deadLetterTopic",
            "singleActiveConsumer");

    private final CoordinatorClient coordinator;
    private final StorageReader storage;
    private final StartPositions starts;
    private final MetadataWatcher metadata;
    private final MetadataLookup lookup;
    private final SharedLeaderClient shared;

    public SubscriptionController(CoordinatorClient coordinator, StorageReader storage, StartPositions starts,
            MetadataWatcher metadata, MetadataLookup lookup, SharedLeaderClient shared) {
        this.lookup = lookup;
        this.shared = shared;
        this.coordinator = coordinator;
        this.storage = storage;
        this.starts = starts;
        this.metadata = metadata;
    }

    @PutMapping
    @Operation(summary = "Declare a subscription (idempotent)",
            description = "type: group (Kafka consumer group) or broadcast (every consumer, named with ?consumer= when it "
                    + "connects, receives everything with its own position) or shared (RabbitMQ competing consumers: any consumer "
                    + "gets any message, acked one by one; unacked after ackTimeoutMs (default 30000) it is delivered again; "
                    + "after maxDeliveries deliveries, or nacked without requeue, or past its TTL, it goes to deadLetterTopic, "
                    + "a topic of the same vhost, which maxDeliveries needs); key_shared (Pulsar's: shared, but all messages of "
                    + "one key go to one consumer at a time, in order; keys move between consumers only when one joins or "
                    + "leaves, and never while a message of the key is unacked). startAt: \"earliest\", "
                    + "\"latest\" (default), {\"timestamp\":ms}, {\"offset\":n} or {\"offsets\":{\"0\":n}}. A new subscription's "
                    + "start is fixed when it is declared: \"latest\" means the messages published after this call. "
                    + "filter: a tag filter, \"TagA || TagB\" (exact, case-sensitive) or \"*\" (default), applied by storage. "
                    + "singleActiveConsumer (group and shared, default false): one consumer at a time receives, the one "
                    + "that joined first; when it leaves (or its session times out) the next in joining order takes over.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.SUBSCRIPTION_SPEC))),
            responses = {
                    @ApiResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = ApiExamples.SUBSCRIPTION_VIEW))),
                    @ApiResponse(responseCode = "200", description = "Existed with the same settings"),
                    @ApiResponse(responseCode = "400", content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "409", description = "Exists with other settings", content = @Content(mediaType = "application/problem+json"))})
    public Mono<ResponseEntity<SubscriptionView>> declare(@PathVariable String vhost, @PathVariable String topic,
            @PathVariable String sub, @RequestBody(required = false) JsonNode body) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Names.require("subscription", sub);
        JsonFields f = JsonFields.of(body, "subscription settings", FIELDS);
        SubscriptionSpec spec = new SubscriptionSpec(f.string("type"), StartPositions.parse(f.get("startAt"), "startAt"),
                f.string("filter"), f.longValue("ackTimeoutMs"), f.integer("maxDeliveries"), f.string("deadLetterTopic"),
                f.bool("singleActiveConsumer"));
        return coordinator.putSubscription(vhost, topic, sub, spec).flatMap(c -> {
            TopicInfo t = c.snapshot().requireTopic(vhost, topic);
            Mono<Void> pin = c.created() ? pinStart(t, c.body()) : Mono.empty();
            return pin.then(view(t, c.body()))
                    .map(v -> ResponseEntity.status(c.created() ? HttpStatus.CREATED : HttpStatus.OK).body(v));
        });
    }

    /**
     * Fixes where a new subscription starts by moving its cursor to its start on every
     * partition now, so "latest" means "after the declaration", not "after the first consumer
     * connects". A seek, not a commit: a cursor left behind by an earlier subscription of the
     * same name is reset too (commits never move a cursor backwards). Best effort: a
     * partition whose leader is away falls back to resolving startAt when first consumed.
     */
    private Mono<Void> pinStart(TopicInfo t, SubscriptionInfo s) {
        return Flux.range(0, t.partitions())
                .flatMap(p -> starts.resolve(t.vhost(), t.name(), p, s.startAt())
                        .flatMap(offset -> storage.seek(t.vhost(), t.name(), p, s.name(), offset))
                        .onErrorResume(e -> {
                            log.warn("could not pin the start of {} on partition {}: {}", s.key(), p, e.toString());
                            return Mono.empty();
                        }))
                .then();
    }

    @DeleteMapping
    @Operation(summary = "Delete a subscription and the positions it kept",
            description = "The subscription goes from the metadata first (its consumers' sessions end), then its committed "
                    + "positions on every partition, its broadcast consumers' included. A position that cannot be removed "
                    + "now (a leader away) is left behind harmlessly: a subscription declared again under the same name "
                    + "starts from its own startAt, never from an old position.",
            responses = {@ApiResponse(responseCode = "204", description = "Deleted"),
                    @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json"))})
    public Mono<ResponseEntity<Void>> delete(@PathVariable String vhost, @PathVariable String topic, @PathVariable String sub) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Names.require("subscription", sub);
        return lookup.topic(vhost, topic).flatMap(t -> coordinator.deleteSubscription(vhost, topic, sub)
                .then(Flux.range(0, t.partitions())
                        .flatMap(p -> storage.removeCursors(vhost, topic, p, sub).onErrorResume(e -> {
                            log.warn("could not remove the position of deleted subscription {}/{}/{} on partition {}: {}", vhost,
                                    topic, sub, p, e.toString());
                            return Mono.empty();
                        }))
                        .then())
                .thenReturn(ResponseEntity.noContent().<Void>build()));
    }

    @GetMapping
    @Operation(summary = "Describe a subscription: members, rebalance state, committed offset and lag per partition",
            responses = {
                    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = ApiExamples.SUBSCRIPTION_VIEW))),
                    @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json"))})
    public Mono<SubscriptionView> describe(@PathVariable String vhost, @PathVariable String topic, @PathVariable String sub) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Names.require("subscription", sub);
        return metadata.refresh().flatMap(m -> lookup.subscription(vhost, topic, sub)
                .flatMap(s -> view(m.requireTopic(vhost, topic), s)));
    }

    private Mono<SubscriptionView> view(TopicInfo t, SubscriptionInfo s) {
        Mono<GroupMembers> members = coordinator.members(t.vhost(), t.name(), s.name());
        Mono<List<SubscriptionView.PartitionLag>> lags = Flux.range(0, t.partitions())
                .flatMapSequential(p -> SharedConsumer.handles(s.type()) ? sharedLag(t, s, p) : lag(t, s, p))
                .collectList();
        Mono<Optional<Long>> deadLetters = s.deadLetterTopic() == null ? Mono.just(Optional.empty())
                : deadLetterMessages(t.vhost(), s.deadLetterTopic()).map(Optional::of).onErrorResume(e -> Mono.just(Optional.empty()));
        return Mono.zip(members, lags, deadLetters).map(z -> SubscriptionView.of(s, z.getT1(), z.getT2(), z.getT3().orElse(null)));
    }

    /** Messages the dead letter topic holds: the sum of its partitions' retained ranges. */
    private Mono<Long> deadLetterMessages(String vhost, String topic) {
        return lookup.topic(vhost, topic).flatMap(dl -> Flux.range(0, dl.partitions())
                .flatMap(p -> storage.offsets(vhost, topic, p, null).map(o -> o.endOffset() - o.startOffset()))
                .reduce(0L, Long::sum));
    }

    /** A shared subscription's partition: its ack floor as the committed position, and what is unacked. */
    private Mono<SubscriptionView.PartitionLag> sharedLag(TopicInfo t, SubscriptionInfo s, int p) {
        return Mono.zip(storage.offsets(t.vhost(), t.name(), p, null), shared.state(s, p),
                        storage.committed(t.vhost(), t.name(), p, s.name()))
                .map(z -> {
                    long end = z.getT1().highWatermark();
                    SharedLeaderClient.SharedState st = z.getT2();
                    Long committed = st.dispatched() >= 0 ? Long.valueOf(st.committed()) : z.getT3().orElse(null);
                    long from = committed != null ? committed : z.getT1().startOffset();
                    return new SubscriptionView.PartitionLag(p, committed, end, Math.max(0, end - from), null, null,
                            st.unacked(), st.inFlight());
                })
                .onErrorResume(e -> Mono.just(new SubscriptionView.PartitionLag(p, null, null, null,
                        ProblemWebExceptionHandler.toProblem(e).detail())));
    }

    private Mono<SubscriptionView.PartitionLag> lag(TopicInfo t, SubscriptionInfo s, int p) {
        boolean broadcast = ConsumerIdentity.BROADCAST.equals(s.type());
        // One read of the partition's cursors: the subscription's own, and its broadcast consumers'.
        Mono<Map<String, Long>> cursors = broadcast ? storage.cursors(t.vhost(), t.name(), p)
                : storage.committed(t.vhost(), t.name(), p, s.name()).map(c -> c.map(o -> Map.of(s.name(), o)).orElse(Map.of()));
        return Mono.zip(storage.offsets(t.vhost(), t.name(), p, null), cursors)
                .map(z -> {
                    Long committed = z.getT2().get(s.name());
                    long from = committed != null ? committed : z.getT1().startOffset();
                    // A consumer reads up to the high watermark: that is the end its lag counts to.
                    long end = z.getT1().highWatermark();
                    return new SubscriptionView.PartitionLag(p, committed, end, Math.max(0, end - from), null,
                            broadcast ? consumerLags(s, z.getT2(), end) : null, null, null);
                })
                .onErrorResume(e -> Mono.just(new SubscriptionView.PartitionLag(p, null, null, null,
                        ProblemWebExceptionHandler.toProblem(e).detail())));
    }

    /** The broadcast consumers' positions among a partition's cursors (see {@link ConsumerIdentity}). */
    private static Map<String, SubscriptionView.ConsumerLag> consumerLags(SubscriptionInfo s, Map<String, Long> cursors, long end) {
        String prefix = ConsumerIdentity.prefix(s);
        Map<String, SubscriptionView.ConsumerLag> out = new java.util.TreeMap<>();
        cursors.forEach((cursor, offset) -> {
            if (cursor.startsWith(prefix)) {
                out.put(cursor.substring(prefix.length()), new SubscriptionView.ConsumerLag(offset, Math.max(0, end - offset)));
            }
        });
        return out;
    }
}
