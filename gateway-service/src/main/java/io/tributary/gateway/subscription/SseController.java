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
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.gateway.cluster.StorageReader;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.ProblemWebExceptionHandler;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.tributary.gateway.auth.CallerAuthentication;
import io.tributary.gateway.auth.SessionRecheck;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
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
 * continues right after it and commits it. A stream commits nothing else by itself: writing
 * to a socket says nothing about what the client received (a stalled reader would lose what
 * sat in buffers). Clients commit with {@code POST .../ack}, or opt into at-most-once with
 * {@code ?autoCommit=true} (commit what was written, every second and at the end).
 */
@RestController
@Tag(name = "Subscriptions")
public class SseController {
    private static final Logger log = LoggerFactory.getLogger(SseController.class);
    private static final Duration KEEPALIVE = Duration.ofSeconds(15);

    private final ConsumerStreams streams;
    private final MetadataLookup lookup;
    private final StorageReader storage;
    private final JsonMapper json;
    private final GatewayProperties props;

    private final SessionRecheck recheck;

    public SseController(ConsumerStreams streams, MetadataLookup lookup, StorageReader storage, JsonMapper json,
            GatewayProperties props, SessionRecheck recheck) {
        this.recheck = recheck;
        this.streams = streams;
        this.lookup = lookup;
        this.storage = storage;
        this.json = json;
        this.props = props;
    }

    @GetMapping(path = "/api/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Consume a subscription as Server-Sent Events",
            description = "Joins the subscription's consumer group and streams the messages of the partitions it assigns "
                    + "to this connection (a broadcast consumer, named with ?consumer=, gets every partition from its own "
                    + "position) (event name 'message', data = the delivered message JSON; event 'retention', data "
                    + "{partition, from, to, detail}, when retention removed positions before they were read). Every event's id is a "
                    + "resume token: reconnect with the Last-Event-ID header (or ?lastEventId=) to continue exactly after it; "
                    + "reconnecting with it also commits it. Nothing else is committed unless the client acks "
                    + "(POST .../ack with the message ids) or asks for ?autoCommit=true (at-most-once). A comment is sent "
                    + "at once and then every 15 s to keep idle connections open. Try it with curl -N.",
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
            @Parameter(description = "the same, for clients that cannot set headers") @RequestParam(value = "lastEventId", required = false) String lastEventIdParam,
            @Parameter(description = "commit what was written to the socket every second (at-most-once; default false: "
                    + "commit only what the client shows it received)") @RequestParam(value = "autoCommit", required = false) Boolean autoCommit,
            @Parameter(description = "broadcast subscriptions only: this consumer's name (it keeps its own position)")
            @RequestParam(value = "consumer", required = false) String consumer,
            @Parameter(hidden = true) CallerAuthentication auth, ServerHttpRequest request) {
        String path = request.getPath().pathWithinApplication().value();
        String token = lastEventId != null ? lastEventId : lastEventIdParam;
        boolean commitWritten = Boolean.TRUE.equals(autoCommit);
        // The first comment goes out at once: status and headers reach the client before there
        // is anything to deliver (EventSource reports "open", curl -N shows the stream is live).
        return streams.subscription(vhost, topic, sub).flatMapMany(info -> {
            if (SharedConsumer.handles(info.type())) {
                if (commitWritten) {
                    throw TributaryException.invalidArgument("autoCommit applies to group and broadcast subscriptions; a shared "
                            + "subscription's messages are acked one by one (POST .../ack)");
                }
                return streams.openShared(info, consumer, ConsumerStreams.SSE)
                        .flatMapMany(c -> Flux.concat(Flux.just(comment("connected")), sharedStream(c, auth, path)));
            }
            return resumePositions(info, token).flatMap(resume -> streams.open(info, consumer, resume, ConsumerStreams.SSE))
                    .flatMapMany(stream -> Flux.concat(Flux.just(comment("connected")), stream(stream, commitWritten, auth, path)));
        });
    }

    /**
     * A shared subscription's events: each message's id is its message id (the ack state is
     * on the partition leaders, so a reconnect needs no token: what was not acked comes again).
     * The client acks over HTTP; when the stream ends, what it held and did not ack is requeued.
     */
    private Flux<ServerSentEvent<String>> sharedStream(Consumption c, CallerAuthentication auth, String path) {
        String topic = c.subscription().topic();
        Sinks.Empty<Void> ended = Sinks.empty();
        Flux<ServerSentEvent<String>> messages = recheck.whileAllowed(c.deliveries(), auth, path)
                .map(d -> ServerSentEvent.<String>builder().id(d.id()).event("message")
                        .data(DeliveredMessage.toJson(json, topic, d.partition(), d.record(), d.deliveryCount())).build())
                .onErrorResume(e -> {
                    log.warn("SSE consumer of {} ended by the server: {}", c.subscription().key(), e.toString());
                    return Flux.just(errorEvent(e));
                })
                .doFinally(signal -> ended.tryEmitEmpty());
        Flux<ServerSentEvent<String>> keepalive = Flux.interval(KEEPALIVE, KEEPALIVE).onBackpressureDrop()
                .map(i -> comment("keepalive"));
        return Flux.merge(messages, keepalive.takeUntilOther(ended.asMono())).doFinally(signal -> c.close().subscribe());
    }

    /**
     * The positions a Last-Event-ID names, checked like any input: issued for this
     * subscription, naming its topic's partitions, and no further than each partition's end
     * (416 with the valid range). A position below the start is fine: retention moved past it.
     */
    private Mono<Map<Integer, Long>> resumePositions(SubscriptionInfo info, String token) {
        if (token == null || token.isBlank()) {
            return Mono.just(Map.of());
        }
        Map<Integer, Long> resume = ResumeToken.decode(info, token.trim());
        return lookup.topic(info.vhost(), info.topic()).flatMap(t -> Flux.fromIterable(resume.entrySet())
                .concatMap(e -> {
                    if (e.getKey() >= t.partitions()) {
                        return Mono.error(TributaryException.malformed("Last-Event-ID names partition " + e.getKey()
                                + "; topic '" + t.name() + "' has partitions 0 to " + (t.partitions() - 1)));
                    }
                    return storage.offsets(info.vhost(), info.topic(), e.getKey(), null).flatMap(o -> e.getValue() > o.endOffset()
                            ? Mono.error(new TributaryException(ProblemType.OFFSET_OUT_OF_RANGE, "Last-Event-ID: position "
                                    + e.getValue() + " of partition " + e.getKey() + " is past its end; positions run from "
                                    + o.startOffset() + " to " + o.endOffset()))
                            : Mono.empty());
                })
                .then(Mono.just(resume)));
    }

    private Flux<ServerSentEvent<String>> stream(ConsumerStream stream, boolean commitWritten, CallerAuthentication auth, String path) {
        String topic = stream.subscription().topic();
        Sinks.Empty<Void> ended = Sinks.empty();
        Flux<ServerSentEvent<String>> messages = recheck.whileAllowed(stream.deliveries(), auth, path)
                .map(d -> ServerSentEvent.<String>builder()
                        .id(ResumeToken.encode(stream.subscription(), stream.positions()))
                        .event(d.isGap() ? "retention" : "message")
                        .data(d.isGap() ? retentionGap(d) : DeliveredMessage.toJson(json, topic, d.partition(), d.record(), d.deliveryCount()))
                        .build())
                .onErrorResume(e -> {
                    log.warn("SSE consumer of {} ended by the server: {}", stream.subscription().key(), e.toString());
                    return Flux.just(errorEvent(e));
                })
                .doFinally(signal -> ended.tryEmitEmpty());
        // Keep-alives are dropped, not queued, while a slow client is not reading.
        Flux<ServerSentEvent<String>> keepalive = Flux.interval(KEEPALIVE, KEEPALIVE)
                .onBackpressureDrop()
                .map(i -> comment("keepalive"));
        Flux<ServerSentEvent<String>> timers = keepalive;
        if (commitWritten) {
            // At-most-once, opted into: what was written to the socket counts as received.
            Flux<ServerSentEvent<String>> commits = Mono.delay(props.sseCommitInterval())
                    .then(Mono.defer(() -> commitPositions(stream)))
                    .repeat()
                    .thenMany(Flux.empty());
            timers = Flux.merge(keepalive, commits);
        }
        // The message stream ends only after an error event; the timers end with it.
        Flux<ServerSentEvent<String>> out = Flux.merge(messages, timers.takeUntilOther(ended.asMono()));
        return commitWritten ? out.doFinally(signal -> commitPositions(stream).subscribe()) : out;
    }

    private static Mono<Void> commitPositions(ConsumerStream stream) {
        return stream.commitPositions().onErrorResume(e -> {
            log.debug("SSE commit of {} failed: {}", stream.subscription().key(), e.toString());
            return Mono.empty();
        });
    }

    /** The data of a {@code retention} event: which positions of which partition are gone. */
    private String retentionGap(Delivery d) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("partition", d.partition());
        doc.put("from", d.gap().from());
        doc.put("to", d.gap().to());
        doc.put("detail", "retention removed offsets " + d.gap().from() + " to " + (d.gap().to() - 1) + " of partition "
                + d.partition() + " before they were read; the stream goes on at " + d.gap().to());
        return json.writeValueAsString(doc);
    }

    private static ServerSentEvent<String> comment(String text) {
        return ServerSentEvent.<String>builder().comment(text).build();
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
