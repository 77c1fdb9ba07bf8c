package io.tributary.gateway.subscription;

import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.message.DeliveredMessage;
import io.tributary.protocol.problem.ProblemWebExceptionHandler;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
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
 */
@Component
public class WebSocketConsumerHandler implements WebSocketHandler {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConsumerHandler.class);
    private static final Duration COMMIT_EVERY = Duration.ofMillis(100);

    private final ConsumerStreams streams;
    private final JsonMapper json;
    private final GatewayProperties props;

    public WebSocketConsumerHandler(ConsumerStreams streams, JsonMapper json, GatewayProperties props) {
        this.streams = streams;
        this.json = json;
        this.props = props;
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        SubscriptionPath path = SubscriptionPath.parse(session.getHandshakeInfo().getUri().getPath());
        long credit = initialCredit(session);
        return streams.open(path.vhost(), path.topic(), path.sub(), Map.of())
                .flatMap(stream -> serve(session, stream, credit))
                .onErrorResume(e -> session.send(Mono.just(session.textMessage(errorFrame(e)))).then(session.close()));
    }

    private long initialCredit(WebSocketSession session) {
        String raw = UriComponentsBuilder.fromUri(session.getHandshakeInfo().getUri()).build().getQueryParams().getFirst("credit");
        return ClientFrame.initialCredit(raw, props.defaultCredit());
    }

    private Mono<Void> serve(WebSocketSession session, ConsumerStream stream, long credit) {
        String topic = stream.subscription().topic();
        CreditGate<String> gate = new CreditGate<>(credit);
        Sinks.Many<String> control = Sinks.many().unicast().onBackpressureBuffer();
        Map<Integer, Long> acked = new HashMap<>();

        Flux<String> messages = gate.attach(stream.deliveries()
                .map(d -> DeliveredMessage.toJson(json, topic, d.partition(), d.record(), 1))
                .onErrorResume(e -> Flux.just(errorFrame(e))));
        Mono<Void> send = session.send(Flux.merge(messages, control.asFlux()).map(session::textMessage));

        Mono<Void> receive = session.receive()
                .map(WebSocketMessage::getPayloadAsText)
                .doOnNext(text -> {
                    try {
                        apply(ClientFrame.parse(json, text), gate, stream, acked);
                    } catch (TributaryException e) {
                        control.tryEmitNext(errorFrame(e));
                    }
                })
                .then();

        Mono<Void> commits = Flux.interval(COMMIT_EVERY)
                .concatMap(i -> flushAcks(stream, acked))
                .then();

        return Mono.firstWithSignal(send, receive, commits)
                .doFinally(signal -> flushAcks(stream, acked).subscribe(ok -> { }, e -> log.debug("final commit failed: {}", e.toString())));
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

    private static Mono<Void> flushAcks(ConsumerStream stream, Map<Integer, Long> acked) {
        Map<Integer, Long> batch;
        synchronized (acked) {
            batch = new HashMap<>(acked);
        }
        if (batch.isEmpty()) {
            return Mono.empty();
        }
        return stream.commit(batch).onErrorResume(e -> {
            log.debug("ack commit failed: {}", e.toString());
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
