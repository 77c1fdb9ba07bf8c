package io.tributary.gateway.subscription;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.message.DeliveredMessage;
import io.tributary.gateway.openapi.ApiExamples;
import io.tributary.protocol.problem.ProblemWebExceptionHandler;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consuming a subscription as Server-Sent Events. Each event's {@code id:} is a resume token
 * for the whole stream ({@link ResumeToken}); reconnecting with {@code Last-Event-ID}
 * continues right after it. Positions are also committed every second and when the client
 * goes, so a client that reconnects without a token continues from there.
 */
@RestController
@Tag(name = "Subscriptions")
public class SseController {
    private static final Logger log = LoggerFactory.getLogger(SseController.class);
    private static final Duration KEEPALIVE = Duration.ofSeconds(15);

    private final ConsumerStreams streams;
    private final JsonMapper json;
    private final GatewayProperties props;

    public SseController(ConsumerStreams streams, JsonMapper json, GatewayProperties props) {
        this.streams = streams;
        this.json = json;
        this.props = props;
    }

    @GetMapping(path = "/api/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Consume a subscription as Server-Sent Events",
            description = "Joins the subscription's consumer group and streams the messages of the partitions it assigns "
                    + "to this connection (event name 'message', data = the delivered message JSON). Every event's id is a "
                    + "resume token: reconnect with the Last-Event-ID header (or ?lastEventId=) to continue exactly after it. "
                    + "A comment line is sent every 15 s to keep idle connections open. Try it with curl -N.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "An endless event stream", content = @Content(
                            mediaType = "text/event-stream", examples = @ExampleObject(value = ApiExamples.SSE_EVENT))),
                    @ApiResponse(responseCode = "400", description = "A Last-Event-ID this gateway did not issue",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", description = "Unknown vhost, topic or subscription",
                            content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_NOT_FOUND)))})
    public Flux<ServerSentEvent<String>> events(@PathVariable String vhost, @PathVariable String topic,
            @PathVariable String sub,
            @Parameter(description = "resume token of the last event seen") @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId,
            @Parameter(description = "the same, for clients that cannot set headers") @RequestParam(value = "lastEventId", required = false) String lastEventIdParam) {
        String token = lastEventId != null ? lastEventId : lastEventIdParam;
        Map<Integer, Long> resume = token == null || token.isBlank() ? Map.of() : ResumeToken.decode(token.trim());
        return streams.open(vhost, topic, sub, resume).flatMapMany(this::stream);
    }

    private Flux<ServerSentEvent<String>> stream(ConsumerStream stream) {
        String topic = stream.subscription().topic();
        Sinks.Empty<Void> ended = Sinks.empty();
        Flux<ServerSentEvent<String>> messages = stream.deliveries()
                .map(d -> ServerSentEvent.<String>builder()
                        .id(ResumeToken.encode(stream.positions()))
                        .event("message")
                        .data(DeliveredMessage.toJson(json, topic, d.partition(), d.record(), 1))
                        .build())
                .onErrorResume(e -> Flux.just(errorEvent(e)))
                .doFinally(signal -> ended.tryEmitEmpty());
        Flux<ServerSentEvent<String>> keepalive = Flux.interval(KEEPALIVE)
                .map(i -> ServerSentEvent.<String>builder().comment("keepalive").build());
        Flux<ServerSentEvent<String>> commits = Flux.interval(props.sseCommitInterval())
                .concatMap(i -> stream.commitPositions().onErrorResume(e -> {
                    log.debug("SSE commit failed: {}", e.toString());
                    return Mono.empty();
                }))
                .thenMany(Flux.empty());
        // The message stream ends only after an error event; the timers end with it.
        return Flux.merge(messages, Flux.merge(keepalive, commits).takeUntilOther(ended.asMono()))
                .doFinally(signal -> stream.commitPositions().subscribe(ok -> { }, e -> log.debug("final commit failed: {}", e.toString())));
    }

    private ServerSentEvent<String> errorEvent(Throwable e) {
        TributaryException p = ProblemWebExceptionHandler.toProblem(e);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", p.type().slug());
        doc.put("status", p.type().status());
        doc.put("detail", p.detail());
        return ServerSentEvent.<String>builder().event("error").data(json.writeValueAsString(doc)).build();
    }
}
