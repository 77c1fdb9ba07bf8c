package io.tributary.gateway.subscription;

import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.message.DeliveredMessage;
import io.tributary.protocol.problem.ProblemWebExceptionHandler;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.HashMap;
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
 * messages than the permits it holds. An {@code ack} commits the subscription's position
 * past that message (cumulative per partition, as in a Kafka group); commits are batched
 * every 100 ms and flushed when the socket closes.
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

    public WebSocketConsumerHandler(ConsumerStreams streams, JsonMapper json, GatewayProperties props, OpenSessions open) {
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
        return Mono.defer(() -> streams.open(path.vhost(), path.topic(), path.sub(), consumer, Map.of()))
                .flatMap(stream -> serve(session, path, stream, initialCredit(session), inbound, cause))
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

    private Mono<Void> serve(WebSocketSession session, SubscriptionPath path, ConsumerStream stream, long credit,
            Flux<WebSocketFrames.Received> inbound, AtomicReference<Throwable> cause) {
        String topic = stream.subscription().topic();
        CreditGate<String> gate = new CreditGate<>(credit);
        Sinks.Many<WebSocketFrames.Frame> control = Sinks.many().unicast().onBackpressureBuffer();
        Sinks.Empty<Void> ended = Sinks.empty();
        Map<Integer, Long> acked = new HashMap<>();

        // A stream that cannot go on ends the session with an error frame and a close frame
        // whose code says why (see lastWords()).
        // Retention gaps are not sent: a frame would take a credit that a message should have.
        Flux<WebSocketFrames.Frame> messages = gate.attach(stream.deliveries()
                        .filter(d -> !d.isGap())
                        .map(d -> DeliveredMessage.toJson(json, topic, d.partition(), d.record(), 1)))
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
                        control.tryEmitNext(WebSocketFrames.Frame.close(violation));
                        return;
                    }
                    try {
                        apply(ClientFrame.parse(json, frame.text()), gate, stream, acked);
                    } catch (RuntimeException e) {
                        control.tryEmitNext(WebSocketFrames.Frame.text(errorFrame(e)));
                    }
                })
                .then();

        // One flush after another, each a fixed pause after the last one finished: a slow
        // commit (a cold cluster, a moving leader) delays the next one instead of overflowing
        // a timer, which would end the session.
        Mono<Void> commits = Mono.delay(COMMIT_EVERY).then(Mono.defer(() -> flushAcks(stream, acked))).repeat().then();

        // The server's end sent a close frame: wait for the client's before the connection goes.
        Mono<Void> serverEnd = send.then(Mono.defer(() -> cause.get() == null ? Mono.empty()
                : inbound.then().timeout(CLOSING_HANDSHAKE, Mono.empty()).onErrorResume(e -> Mono.empty())));
        return Mono.firstWithSignal(serverEnd, receive, commits)
                .onErrorResume(e -> {
                    cause.compareAndSet(null, e);
                    return Mono.empty();
                })
                .then(Mono.defer(() -> flushAcks(stream, acked)));
    }

    private void apply(ClientFrame frame, CreditGate<String> gate, ConsumerStream stream, Map<Integer, Long> acked) {
        switch (frame.kind()) {
            case CREDIT -> gate.grant(frame.credit());
            case ACK -> {
                for (ClientFrame.MessageId id : frame.ids()) {
                    if (!stream.delivered(id.partition(), id.offset())) {
                        throw TributaryException.invalidArgument("message " + id.partition() + "-" + id.offset()
                                + " was not delivered on this connection");
                    }
                }
                synchronized (acked) {
                    frame.ids().forEach(id -> acked.merge(id.partition(), id.offset() + 1, Math::max));
                }
            }
            case NACK -> throw TributaryException.invalidArgument(
                    "nack needs a shared subscription; group subscriptions acknowledge cumulatively, per partition");
        }
    }

    /** Commits what was acked; a failure is logged and retried with the next flush (the acks stay). */
    private static Mono<Void> flushAcks(ConsumerStream stream, Map<Integer, Long> acked) {
        Map<Integer, Long> batch;
        synchronized (acked) {
            batch = new HashMap<>(acked);
        }
        if (batch.isEmpty()) {
            return Mono.empty();
        }
        return stream.commit(batch).onErrorResume(e -> {
            log.info("ack commit of {} failed, retried with the next flush: {}", stream.subscription().key(), e.toString());
            return Mono.empty();
        });
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
