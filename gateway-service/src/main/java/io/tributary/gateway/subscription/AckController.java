package io.tributary.gateway.subscription;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.admin.JsonFields;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.gateway.cluster.StorageReader;
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
import tools.jackson.databind.JsonNode;

/**
 * Acknowledging over plain HTTP, for consumers that read with SSE (which cannot send frames
 * back): {@code POST .../subscriptions/{sub}/ack} with {@code {"ids":["0-41", ...]}}. On a
 * {@code group} subscription an ack is cumulative per partition, as a WebSocket ack is: the
 * position moves past the highest acked offset of each partition, and never backwards. A
 * {@code broadcast} consumer names itself ({@code ?consumer=}) and moves its own position.
 */
@RestController
@RequestMapping("/api/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}")
@Tag(name = "Subscriptions")
public class AckController {
    private static final Set<String> FIELDS = Set.of("ids");

    private final MetadataLookup lookup;
    private final StorageReader storage;

    public AckController(MetadataLookup lookup, StorageReader storage) {
        this.lookup = lookup;
        this.storage = storage;
    }

    /** What an ack committed: per partition, the position it now has (the next offset to read). */
    public record Acked(Map<Integer, Long> committed) {
    }

    @PostMapping("/ack")
    @Operation(summary = "Acknowledge delivered messages by id",
            description = "On a group subscription the ack is cumulative per partition: the subscription's position on each "
                    + "partition moves past the highest acked offset there (never backwards). SSE consumers use it to commit "
                    + "what they processed. A broadcast consumer names itself with ?consumer= and moves only its own position.",
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
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Names.require("subscription", sub);
        List<ClientFrame.MessageId> ids = ClientFrame.ids(JsonFields.of(body, "ack", FIELDS).get("ids"), "ids");
        return lookup.subscription(vhost, topic, sub).zipWith(lookup.topic(vhost, topic)).flatMap(t -> {
            String cursor = ConsumerIdentity.of(t.getT1(), consumer).cursor();
            TopicInfo info = t.getT2();
            Map<Integer, Long> next = new TreeMap<>();
            for (ClientFrame.MessageId id : ids) {
                if (id.partition() >= info.partitions()) {
                    throw TributaryException.notFound("message " + id.partition() + "-" + id.offset() + ": topic '" + topic
                            + "' has partitions 0 to " + (info.partitions() - 1));
                }
                next.merge(id.partition(), id.offset() + 1, Math::max);
            }
            return Flux.fromIterable(next.entrySet())
                    .concatMap(e -> storage.commit(vhost, topic, e.getKey(), cursor, e.getValue()))
                    .then(Mono.just(new Acked(next)));
        });
    }
}
