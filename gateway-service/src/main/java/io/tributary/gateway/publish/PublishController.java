package io.tributary.gateway.publish;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.cluster.RoutingClient;
import io.tributary.gateway.openapi.ApiExamples;
import io.tributary.protocol.http.BodyReader;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.publish.PublishEntry;
import io.tributary.protocol.publish.PublishRequestCodec;
import io.tributary.protocol.publish.PublishResponse;
import java.nio.ByteBuffer;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/** Publishing to a topic (the default exchange). */
@RestController
@Tag(name = "Publish", description = "Publish messages with a POST")
public class PublishController {
    private final MessageParser parser;
    private final RoutingClient routing;
    private final MetadataLookup lookup;
    private final GatewayProperties props;

    public PublishController(JsonMapper json, RoutingClient routing, MetadataLookup lookup, GatewayProperties props) {
        this.parser = new MessageParser(json, props.maxMessageBytes().toBytes());
        this.routing = routing;
        this.lookup = lookup;
        this.props = props;
    }

    @PostMapping(value = "/api/v1/vhosts/{vhost}/topics/{topic}/messages", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Publish one message or a batch to a topic",
            description = "The body is one message object, a JSON array of them, or NDJSON (application/x-ndjson). "
                    + "A batch is all or nothing: if any message is invalid, nothing is stored. The answer lists where "
                    + "each message was stored, in request order, once the acks hold. Messages with a key always land "
                    + "on the same partition (Kafka's murmur2 partitioner); keyless messages of one request share a partition.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
                    @Content(mediaType = "application/json", examples = {
                            @ExampleObject(name = "one message", value = ApiExamples.PUBLISH_ONE),
                            @ExampleObject(name = "a batch", value = ApiExamples.PUBLISH_BATCH)}),
                    @Content(mediaType = "application/x-ndjson", examples =
                            @ExampleObject(name = "NDJSON", value = ApiExamples.PUBLISH_NDJSON))}),
            responses = {
                    @ApiResponse(responseCode = "200", description = "Stored", content = @Content(
                            mediaType = "application/json", examples = @ExampleObject(value = ApiExamples.PUBLISH_RESULT))),
                    @ApiResponse(responseCode = "400", description = "Malformed JSON, an unknown field, a bad value",
                            content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_MALFORMED))),
                    @ApiResponse(responseCode = "404", description = "Unknown vhost, topic or partition",
                            content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_NOT_FOUND))),
                    @ApiResponse(responseCode = "413", description = "A payload or the request is over the limit",
                            content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_TOO_LARGE))),
                    @ApiResponse(responseCode = "503", description = "A partition leader is unavailable; retry after Retry-After",
                            content = @Content(mediaType = "application/problem+json"))})
    public Mono<PublishResponse> publish(@PathVariable String vhost, @PathVariable String topic,
            @Parameter(description = "none | leader | all (default all)") @RequestParam(required = false) String acks,
            ServerWebExchange exchange) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Acks level = Acks.parse(acks);
        MediaType contentType = exchange.getRequest().getHeaders().getContentType();
        long now = System.currentTimeMillis();
        return BodyReader.read(exchange.getRequest(), props.maxRequestBytes().toBytes(), "request body")
                .zipWith(lookup.topic(vhost, topic))
                .publishOn(Schedulers.parallel())
                .map(t -> encode(t.getT1(), contentType, now, t.getT2()))
                .flatMap(body -> routing.publishToTopic(vhost, topic, level, body));
    }

    private ByteBuffer encode(ByteBuffer body, MediaType contentType, long now, TopicInfo topic) {
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        List<PublishEntry> entries = parser.parse(bytes, contentType, now, false);
        for (int i = 0; i < entries.size(); i++) {
            int p = entries.get(i).partition();
            if (p != PublishEntry.ANY_PARTITION && p >= topic.partitions()) {
                throw TributaryException.notFound("message " + i + ": partition " + p + " does not exist; topic '"
                        + topic.name() + "' has partitions 0 to " + (topic.partitions() - 1));
            }
        }
        return PublishRequestCodec.encode(entries);
    }
}
