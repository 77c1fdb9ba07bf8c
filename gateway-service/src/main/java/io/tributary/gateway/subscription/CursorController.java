package io.tributary.gateway.subscription;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.cluster.CoordinatorClient;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.gateway.cluster.PartitionOffsets;
import io.tributary.gateway.cluster.StorageReader;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.StartPosition;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;
import reactor.util.function.Tuples;
import tools.jackson.databind.JsonNode;

/**
 * {@code PUT .../subscriptions/{sub}/cursor}: moves a subscription's committed position on
 * every partition (Kafka's {@code kafka-consumer-groups --reset-offsets}), backwards or
 * forwards, in the forms of {@code startAt}. As Kafka does, only while no member is
 * connected: a connected member reads from the position it holds and would commit over the
 * seek. Everything is checked before anything moves: an explicit offset outside a
 * partition's {@code startOffset..endOffset} is a 416 naming the valid range, a partition the
 * topic does not have a 400. The moves themselves are idempotent, so a failure half-way
 * (a leader away: 503) is repaired by sending the same request again.
 */
@RestController
@RequestMapping("/api/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/cursor")
@Tag(name = "Subscriptions")
public class CursorController {
    private final MetadataLookup lookup;
    private final MetadataWatcher metadata;
    private final CoordinatorClient coordinator;
    private final StorageReader storage;
    private final StartPositions starts;

    public CursorController(MetadataLookup lookup, MetadataWatcher metadata, CoordinatorClient coordinator, StorageReader storage,
            StartPositions starts) {
        this.lookup = lookup;
        this.metadata = metadata;
        this.coordinator = coordinator;
        this.storage = storage;
        this.starts = starts;
    }

    /** What a seek did: the committed position of every partition after it. */
    public record SeekResult(Map<Integer, Long> offsets) {
    }

    @PutMapping
    @Operation(summary = "Seek: move the subscription's position on every partition (no member may be connected)",
            description = "Body: \"earliest\", \"latest\", {\"position\":\"earliest\"|\"latest\"}, {\"timestamp\":ms}, "
                    + "{\"offset\":n} (every partition) or {\"offsets\":{\"0\":n}}. Explicit offsets must lie within the "
                    + "partition's startOffset..endOffset (416 names the range).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = "{\"offsets\":{\"0\":42}}"))),
            responses = {
                    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = "{\"offsets\":{\"0\":42,\"1\":0}}"))),
                    @ApiResponse(responseCode = "400", content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "409", description = "Members are connected",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "416", content = @Content(mediaType = "application/problem+json"))})
    public Mono<SeekResult> seek(@PathVariable String vhost, @PathVariable String topic, @PathVariable String sub,
            @RequestBody(required = false) JsonNode body) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Names.require("subscription", sub);
        StartPosition to = StartPositions.parse(body, "cursor");
        if (to == null) {
            throw TributaryException.invalidArgument("the body names where to seek: \"earliest\", \"latest\", {\"timestamp\":ms}, "
                    + "{\"offset\":n} or {\"offsets\":{\"<partition>\":n}}");
        }
        return metadata.refresh().flatMap(m -> lookup.subscription(vhost, topic, sub).flatMap(s -> {
            TopicInfo t = m.requireTopic(vhost, topic);
            if (ConsumerIdentity.BROADCAST.equals(s.type())) {
                throw TributaryException.invalidArgument("seeking a broadcast subscription's consumers is not supported yet "
                        + "(each keeps its own position); group subscriptions can seek");
            }
            checkPartitionsNamed(t, to);
            return coordinator.members(vhost, topic, sub).flatMap(members -> {
                if (!members.ids().isEmpty()) {
                    return Mono.error(TributaryException.conflict("subscription '" + sub + "' has " + members.ids().size()
                            + " connected member(s); disconnect them before seeking (as Kafka's reset-offsets requires)"));
                }
                return targets(t, to).flatMap(offsets -> Flux.fromIterable(offsets.entrySet())
                        .flatMap(e -> storage.seek(vhost, topic, e.getKey(), sub, e.getValue()))
                        .then(Mono.just(new SeekResult(offsets))));
            });
        }));
    }

    private static void checkPartitionsNamed(TopicInfo t, StartPosition to) {
        if (to.offsets() == null) {
            return;
        }
        for (String p : to.offsets().keySet()) {
            int n;
            try {
                n = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw TributaryException.invalidArgument("cursor.offsets: '" + p + "' is not a partition number");
            }
            if (n < 0 || n >= t.partitions() || !Integer.toString(n).equals(p)) {
                throw TributaryException.invalidArgument("cursor.offsets: topic '" + t.name() + "' has partitions 0.."
                        + (t.partitions() - 1) + ", not '" + p + "'");
            }
        }
    }

    /** Where each partition goes, every explicit offset checked against its partition's bounds first. */
    private Mono<Map<Integer, Long>> targets(TopicInfo t, StartPosition to) {
        List<Integer> partitions = to.offsets() == null ? java.util.stream.IntStream.range(0, t.partitions()).boxed().toList()
                : to.offsets().keySet().stream().map(Integer::parseInt).sorted().toList();
        return Flux.fromIterable(partitions)
                .flatMap(p -> storage.offsets(t.vhost(), t.name(), p, null).map(o -> Tuples.of(p, o)))
                .collectList()
                .flatMap(bounds -> {
                    for (Tuple2<Integer, PartitionOffsets> b : bounds) {
                        Long explicit = to.offset() != null ? to.offset() : to.offsets() != null
                                ? to.offsets().get(Integer.toString(b.getT1())) : null;
                        PartitionOffsets o = b.getT2();
                        if (explicit != null && (explicit < o.startOffset() || explicit > o.endOffset())) {
                            return Mono.error(new TributaryException(ProblemType.OFFSET_OUT_OF_RANGE, "offset " + explicit
                                    + " is outside partition " + b.getT1() + "'s range " + o.startOffset() + ".." + o.endOffset()
                                    + " (startOffset..endOffset); nothing was moved", null, null));
                        }
                    }
                    return Flux.fromIterable(bounds)
                            .flatMap(b -> starts.resolve(t.vhost(), t.name(), b.getT1(), to).map(offset -> Tuples.of(b.getT1(), offset)))
                            .collectMap(Tuple2::getT1, Tuple2::getT2, TreeMap::new);
                });
    }
}
