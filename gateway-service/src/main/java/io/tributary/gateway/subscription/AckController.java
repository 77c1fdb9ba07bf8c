package io.tributary.gateway.subscription;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.admin.JsonFields;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.gateway.cluster.SharedLeaderClient;
import io.tributary.gateway.cluster.StorageReader;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;
import tools.jackson.databind.JsonNode;

/**
 * Acknowledging over plain HTTP, for consumers that read with SSE (which cannot send frames
 * back) or poll: {@code POST .../subscriptions/{sub}/ack} with {@code {"ids":["0-41", ...]}}. On a
 * {@code group} subscription an ack is cumulative per partition, as a WebSocket ack is: the
 * position moves past the highest acked offset of each partition, and never backwards. A
 * {@code broadcast} consumer names itself ({@code ?consumer=}) and moves its own position. On a
 * {@code shared} subscription each message is acked by itself, and {@code POST .../nack}
 * ({@code {"ids":[...],"requeue":true|false}}) requeues or dead-letters single messages; any
 * gateway takes them (the ack state is on the partition leaders), all or nothing per partition.
 */
@RestController
@RequestMapping("/api/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}")
@Tag(name = "Subscriptions")
public class AckController {
    private static final Set<String> FIELDS = Set.of("ids");
    private static final Set<String> NACK_FIELDS = Set.of("ids", "requeue");

    private final MetadataLookup lookup;
    private final StorageReader storage;
    private final SharedLeaderClient shared;
    private final SharedFeed sharedFeed;

    public AckController(MetadataLookup lookup, StorageReader storage, SharedLeaderClient shared, SharedFeed sharedFeed) {
        this.sharedFeed = sharedFeed;
        this.lookup = lookup;
        this.storage = storage;
        this.shared = shared;
    }

    /** What an ack committed: per partition, the position it now has (the next offset to read). */
    public record Acked(Map<Integer, Long> committed) {
    }

    @PostMapping("/ack")
    @Operation(summary = "Acknowledge delivered messages by id",
            description = "On a group subscription the ack is cumulative per partition: the subscription's position on each "
                    + "partition moves past the highest acked offset there (never backwards). SSE consumers use it to commit "
                    + "what they processed. A broadcast consumer names itself with ?consumer= and moves only its own position. "
                    + "On a shared subscription each message is acked by itself (an id never delivered is refused, nothing acked).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = "{\"ids\":[\"0-41\",\"1-7\"]}"))),
            responses = {
                    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = "{\"committed\":{\"0\":42,\"1\":8}}"))),
                    @ApiResponse(responseCode = "400", description = "A malformed id, or an offset not yet written",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json"))})
    public Mono<Acked> ack(@PathVariable String vhost, @PathVariable String topic, @PathVariable String sub,
            @RequestParam(value = "consumer", required = false) String consumer, @RequestBody(required = false) JsonNode body) {
        Mono<Tuple2<SubscriptionInfo, TopicInfo>> target = target(vhost, topic, sub);
        List<ClientFrame.MessageId> ids = ClientFrame.ids(JsonFields.of(body, "ack", FIELDS).get("ids"), "ids");
        return target.flatMap(t -> {
            String cursor = ConsumerIdentity.of(t.getT1(), consumer).cursor();
            Map<Integer, List<Long>> byPartition = byPartition(ids, t.getT2());
            if (SharedConsumer.handles(t.getT1().type())) {
                return settled(Flux.fromIterable(byPartition.entrySet())
                        .concatMap(e -> shared.ack(t.getT1(), e.getKey(), e.getValue()).map(c -> Map.entry(e.getKey(), c))));
            }
            Map<Integer, Long> next = new TreeMap<>();
            byPartition.forEach((p, offsets) -> next.put(p, offsets.stream().mapToLong(Long::longValue).max().orElseThrow() + 1));
            return Flux.fromIterable(next.entrySet())
                    .concatMap(e -> storage.commit(vhost, topic, e.getKey(), cursor, e.getValue()))
                    .then(Mono.just(new Acked(next)));
        });
    }

    @PostMapping("/nack")
    @Operation(summary = "Negatively acknowledge delivered messages of a shared subscription",
            description = "requeue true (the default): the messages are delivered again at once, their deliveryCount going "
                    + "on; false: they go to the subscription's dead letter topic with reason 'rejected' (dropped when it has "
                    + "none). Refused for group and broadcast subscriptions, which commit positions.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = "{\"ids\":[\"0-42\"],\"requeue\":true}"))),
            responses = {
                    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = "{\"committed\":{\"0\":42}}"))),
                    @ApiResponse(responseCode = "400", description = "A malformed id, a message never delivered, not a shared subscription",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json"))})
    public Mono<Acked> nack(@PathVariable String vhost, @PathVariable String topic, @PathVariable String sub,
            @RequestBody(required = false) JsonNode body) {
        Mono<Tuple2<SubscriptionInfo, TopicInfo>> target = target(vhost, topic, sub);
        JsonFields f = JsonFields.of(body, "nack", NACK_FIELDS);
        List<ClientFrame.MessageId> ids = ClientFrame.ids(f.get("ids"), "ids");
        Boolean requeueField = f.bool("requeue");
        boolean requeue = requeueField == null || requeueField;
        return target.flatMap(t -> {
            if (!SharedConsumer.handles(t.getT1().type())) {
                throw TributaryException.invalidArgument("nack needs a shared subscription; " + t.getT1().type()
                        + " subscription '" + sub + "' acknowledges cumulatively, per partition (POST .../ack)");
            }
            Map<Integer, List<Long>> byPartition = byPartition(ids, t.getT2());
            return settled(Flux.fromIterable(byPartition.entrySet())
                    .concatMap(e -> shared.nack(t.getT1(), e.getKey(), e.getValue(), requeue, false)
                            .flatMap(c -> (requeue ? Mono.<Void>empty() : sharedFeed.deadLetterNow(t.getT1(), e.getKey()))
                                    .thenReturn(Map.entry(e.getKey(), c)))));
        });
    }

    /** The subscription and its topic, the names checked first. */
    private Mono<Tuple2<SubscriptionInfo, TopicInfo>> target(String vhost, String topic, String sub) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Names.require("subscription", sub);
        return lookup.subscription(vhost, topic, sub).zipWith(lookup.topic(vhost, topic));
    }

    /** The ids by partition, each partition checked against the topic. */
    private static Map<Integer, List<Long>> byPartition(List<ClientFrame.MessageId> ids, TopicInfo info) {
        Map<Integer, List<Long>> out = new TreeMap<>();
        for (ClientFrame.MessageId id : ids) {
            if (id.partition() >= info.partitions()) {
                throw TributaryException.notFound("message " + id.partition() + "-" + id.offset() + ": topic '" + info.name()
                        + "' has partitions 0 to " + (info.partitions() - 1));
            }
            out.computeIfAbsent(id.partition(), k -> new java.util.ArrayList<>()).add(id.offset());
        }
        return out;
    }

    private static Mono<Acked> settled(Flux<Map.Entry<Integer, Long>> committed) {
        return committed.collectMap(Map.Entry::getKey, Map.Entry::getValue, TreeMap::new).map(Acked::new);
    }
}
