package io.tributary.gateway.subscription;

import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.auth.CallerAuthentication;
import io.tributary.gateway.auth.SessionRecheck;
import io.tributary.gateway.message.DeliveredMessage;
import io.tributary.protocol.problem.ProblemWebExceptionHandler;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consuming a subscription over WebSocket ({@code /ws/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}}).
 * Server frames are delivered messages (the same JSON as SSE data) or
 * {@code {"error":{problem}}}; client frames are {@code ack}, {@code nack} and {@code credit}.
 * The connection starts with {@code ?credit=N} permits (default 1000) and receives no more
 * messages than the permits it holds. On a group or broadcast subscription an {@code ack}
 * commits the position past that message (cumulative per partition, as in a Kafka group),
 * batched every 100 ms and flushed when the socket closes; on a shared subscription it acks
 * that one message, and {@code nack} requeues it ({@code "requeue":true}, the default) or
 * dead-letters it (see {@link SharedConsumer}).
 *
 * <p>A session ends only when the client closes it, the subscription can no longer be served
 * (an error frame, then a close frame whose code says why, see {@link SessionEnd}), or the
 * gateway shuts down (1001). Transient failures of the coordinator or of storage nodes are
 * retried inside the session. Every end is logged with its cause.
 */
@Component
public class WebSocketConsumerHandler implements WebSocketHandler {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConsumerHandler.class);
    private static final Duration COMMIT_EVERY = Duration.ofMillis(100);

    private final ConsumerStreams streams;
    private final JsonMapper json;
    private final GatewayProperties props;
    private final OpenSessions open;
    private final SessionRecheck recheck;

    public WebSocketConsumerHandler(ConsumerStreams streams, JsonMapper json, GatewayProperties props, OpenSessions open,
            SessionRecheck recheck) {
        this.recheck = recheck;
        this.streams = streams;
        this.json = json;
        this.props = props;
        this.open = open;
    }

    /** How long the server waits for the client's close frame after sending its own. */
    private static final Duration CLOSING_HANDSHAKE = Duration.ofSeconds(5);

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        SubscriptionPath path = SubscriptionPath.parse(session.getHandshakeInfo().getUri().getPath());
        AtomicReference<Throwable> cause = new AtomicReference<>();
        // Subscribed once and shared: the end of the session waits on it for the client's close frame.
        // A connection that breaks without a close frame simply ends the inbound.
        Flux<WebSocketFrames.Received> inbound = WebSocketFrames.receive(session)
                .onErrorResume(e -> {
                    log.debug("WebSocket consumer {}: the connection ended without a close frame ({})", session.getId(), e.toString());
                    return Flux.empty();
                })
                .share();
        open.add(session);
        String consumer = UriComponentsBuilder.fromUri(session.getHandshakeInfo().getUri()).build().getQueryParams().getFirst("consumer");
        String rulePath = session.getHandshakeInfo().getUri().getRawPath();
        return session.getHandshakeInfo().getPrincipal().cast(CallerAuthentication.class)
                .flatMap(auth -> streams.open(path.vhost(), path.topic(), path.sub(), consumer, Map.of(), ConsumerStreams.WEBSOCKET)
                        .flatMap(stream -> serve(session, path, stream, initialCredit(session), inbound, cause,
                                deliveries -> recheck.whileAllowed(deliveries, auth, rulePath))))
                .onErrorResume(e -> {
                    cause.compareAndSet(null, e);
                    return WebSocketFrames.send(session, lastWords(session, path, e))
                            .then(inbound.then().timeout(CLOSING_HANDSHAKE, Mono.empty()))
                            .onErrorResume(x -> Mono.empty());
                })
                .then(Mono.fromRunnable(() -> {
                    if (cause.get() == null) {
                        log.debug("WebSocket consumer {} of {}/{}/{} ended: the client closed it", session.getId(), path.vhost(),
                                path.topic(), path.sub());
                    }
                }))
                .doFinally(signal -> open.remove(session)).then();
    }

    private long initialCredit(WebSocketSession session) {
        String raw = UriComponentsBuilder.fromUri(session.getHandshakeInfo().getUri()).build().getQueryParams().getFirst("credit");
        return ClientFrame.initialCredit(raw, props.defaultCredit());
    }

    /**
     * The end of a session the server decides: an error frame, then the close frame whose code
     * says why (see {@link SessionEnd}), logged with its cause.
     */
    private Flux<WebSocketFrames.Frame> lastWords(WebSocketSession session, SubscriptionPath path, Throwable cause) {
        CloseStatus status = SessionEnd.forError(cause);
        log.warn("WebSocket consumer {} of {}/{}/{} ended by the server with {} ({})", session.getId(), path.vhost(),
                path.topic(), path.sub(), status.getCode(), status.getReason(), cause instanceof TributaryException ? null : cause);
        return Flux.just(WebSocketFrames.Frame.text(errorFrame(cause)), WebSocketFrames.Frame.close(status));
    }

    /** {@code guard}: ends the deliveries when the session's credential no longer allows it (see {@link SessionRecheck}). */
    private Mono<Void> serve(WebSocketSession session, SubscriptionPath path, Consumption stream, long credit,
            Flux<WebSocketFrames.Received> inbound, AtomicReference<Throwable> cause,
            java.util.function.UnaryOperator<Flux<Delivery>> guard) {
        String topic = stream.subscription().topic();
        CreditGate<String> gate = new CreditGate<>(credit);
        Sinks.Many<WebSocketFrames.Frame> control = Sinks.many().unicast().onBackpressureBuffer();
        Sinks.Empty<Void> ended = Sinks.empty();

        // A stream that cannot go on ends the session with an error frame and a close frame
        // whose code says why (see lastWords()).
        // Retention gaps are not sent: a frame would take a credit that a message should have.
        Flux<WebSocketFrames.Frame> messages = gate.attach(guard.apply(stream.deliveries())
                        .filter(d -> !d.isGap())
                        .map(d -> DeliveredMessage.toJson(json, topic, d.partition(), d.record(), d.deliveryCount())))
                .map(WebSocketFrames.Frame::text)
                .onErrorResume(e -> {
                    cause.compareAndSet(null, e);
                    ended.tryEmitEmpty();
                    return lastWords(session, path, e);
                })
                .doFinally(signal -> ended.tryEmitEmpty());
        // The stream ends with the first close frame in it, whoever put it there.
        Mono<Void> send = WebSocketFrames.send(session, Flux.merge(messages, control.asFlux().takeUntilOther(ended.asMono()))
                .takeUntil(f -> f.close() != null));

        // Every client frame gets an answer or an effect; only a protocol violation ends the
        // session (1002 reserved bits, 1007 not UTF-8, as RFC 6455 says), the others get an error frame.
        Mono<Void> receive = inbound
                .doOnNext(frame -> {
                    if (frame.violation() != null) {
                        CloseStatus violation = frame.violation();
                        cause.compareAndSet(null, TributaryException.malformed(violation.getReason()));
                        log.warn("WebSocket consumer {} of {}/{}/{} ended by the server with {} ({})", session.getId(),
                                path.vhost(), path.topic(), path.sub(), violation.getCode(), violation.getReason());
                        emit(control, WebSocketFrames.Frame.close(violation));
                        return;
                    }
                    try {
                        apply(ClientFrame.parse(json, frame.text()), gate, stream, control);
                    } catch (RuntimeException e) {
                        emit(control, WebSocketFrames.Frame.text(errorFrame(e)));
                    }
                })
                .then();

        // One flush after another, each a fixed pause after the last one finished: a slow
        // commit (a cold cluster, a moving leader) delays the next one instead of overflowing
        // a timer, which would end the session.
        Mono<Void> commits = Mono.delay(COMMIT_EVERY).then(Mono.defer(stream::flush)).repeat().then();

        // The server's end sent a close frame: wait for the client's before the connection goes.
        Mono<Void> serverEnd = send.then(Mono.defer(() -> cause.get() == null ? Mono.empty()
                : inbound.then().timeout(CLOSING_HANDSHAKE, Mono.empty()).onErrorResume(e -> Mono.empty())));
        return Mono.firstWithSignal(serverEnd, receive, commits)
                .onErrorResume(e -> {
                    cause.compareAndSet(null, e);
                    return Mono.empty();
                })
                .then(Mono.defer(stream::close));
    }

    /**
     * A client frame's effect. An ack or nack naming a message this connection does not hold
     * is refused at once; one that fails later (a leader away too long) gets an error frame.
     */
    private void apply(ClientFrame frame, CreditGate<String> gate, Consumption stream, Sinks.Many<WebSocketFrames.Frame> control) {
        Mono<Void> effect = switch (frame.kind()) {
            case CREDIT -> {
                gate.grant(frame.credit());
                yield Mono.empty();
            }
            case ACK -> stream.ack(frame.ids());
            case NACK -> stream.nack(frame.ids(), frame.requeue());
        };
        effect.subscribe(null, e -> emit(control, WebSocketFrames.Frame.text(errorFrame(e))));
    }

    /** Control frames come from the inbound thread and from acks finishing elsewhere: one at a time into the sink. */
    private static void emit(Sinks.Many<WebSocketFrames.Frame> control, WebSocketFrames.Frame frame) {
        synchronized (control) {
            control.tryEmitNext(frame);
        }
    }

    private String errorFrame(Throwable e) {
        TributaryException p = ProblemWebExceptionHandler.toProblem(e);
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", p.type().slug());
        problem.put("status", p.type().status());
        problem.put("detail", p.detail());
        return json.writeValueAsString(Map.of("error", problem));
    }
}
