package io.tributary.gateway.publish;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.openapi.ApiExamples;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.publish.PublishResponse;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Publishing to a topic (the default exchange). */
@RestController
@Tag(name = "Publish", description = "Publish messages with a POST")
public class PublishController {
    private final PublishPipeline pipeline;

    public PublishController(PublishPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @PostMapping(value = "/api/v1/vhosts/{vhost}/topics/{topic}/messages", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Publish one message or a batch to a topic",
            description = "The body is one message object, a JSON array of them, or NDJSON (application/x-ndjson). "
                    + "A batch is all or nothing: if any message is invalid, nothing is stored. The answer lists where "
                    + "each message was stored, in request order, once the acks hold. Messages with a key always land "
                    + "on the same partition (Kafka's murmur2 partitioner); keyless messages of one request share a partition. "
                    + "delayMs or deliverAt (epoch ms) delays a message: it is stored (and answered) at once and delivered "
                    + "at its time as a new message with headers x-scheduled-offset and x-deliver-at; ttlMs then counts "
                    + "from the delivery.",
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
            @Parameter(description = "makes retries of this request safe: within the dedup window (10 min) a retry with the same "
                    + "key and body stores nothing new and answers the original results; the same key with another body answers 422")
            @RequestHeader(value = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            ServerWebExchange exchange) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        return pipeline.toTopic(exchange.getRequest(), vhost, topic, Acks.parse(acks));
    }
}
