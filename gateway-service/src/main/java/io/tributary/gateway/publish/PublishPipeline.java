package io.tributary.gateway.publish;

import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.gateway.cluster.RoutingClient;
import io.tributary.gateway.request.ContentTypes;
import io.tributary.protocol.http.BodyReader;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.publish.ExchangePublishResponse;
import io.tributary.protocol.publish.PublishEntry;
import io.tributary.protocol.publish.PublishRequestCodec;
import io.tributary.protocol.publish.PublishResponse;
import io.tributary.protocol.publish.PublishResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The one path every publish takes through the gateway, to a topic or through an exchange:
 * read the body (bounded), parse and validate every message into encoded records (off the
 * event loop; a bad message refuses the whole request before anything happens), claim the
 * request's Idempotency-Key if it has one, hand the records to routing, and turn a partial
 * failure into an honest answer ({@link PublishOutcome}).
 */
@Component
public class PublishPipeline {
    private final MessageParser parser;
    private final RoutingClient routing;
    private final MetadataLookup lookup;
    private final IdempotencyRecords idempotency;
    private final GatewayProperties props;

    public PublishPipeline(RoutingClient routing, MetadataLookup lookup, IdempotencyRecords idempotency,
            GatewayProperties props) {
        this.parser = new MessageParser(props.maxMessageBytes().toBytes(), props.maxDelay());
        this.routing = routing;
        this.lookup = lookup;
        this.idempotency = idempotency;
        this.props = props;
    }

    /** What a request is: where it goes, its body, and its key. */
    private record Parsed(ByteBuffer encoded, IdempotencyKey key, byte[] fingerprint) {
    }

    public Mono<PublishResponse> toTopic(ServerHttpRequest request, String vhost, String topic, Acks acks) {
        return lookup.topic(vhost, topic)
                .flatMap(t -> parse(request, vhost, "topic " + topic, acks, false, entries -> checkPartitions(entries, t)))
                .flatMap(p -> claim(p).then(routing.publishToTopic(vhost, topic, acks, p.encoded())))
                .doOnNext(r -> PublishOutcome.check(r.results(), r.results()));
    }

    /** {@code writable}: the topics the caller may write to, a pattern routing checks every destination against. */
    public Mono<ExchangePublishResponse> toExchange(ServerHttpRequest request, String vhost, String exchange, Acks acks, String writable) {
        return parse(request, vhost, "exchange " + exchange, acks, true, entries -> { })
                .flatMap(p -> claim(p).then(routing.publishToExchange(vhost, exchange, acks, p.encoded(), writable)))
                .doOnNext(r -> PublishOutcome.check(r.results().stream()
                        .flatMap(x -> x.routed() == null ? java.util.stream.Stream.<PublishResult>empty() : x.routed().stream())
                        .toList(), r.results()));
    }

    private Mono<Parsed> parse(ServerHttpRequest request, String vhost, String destination, Acks acks, boolean exchange,
            java.util.function.Consumer<List<PublishEntry>> check) {
        IdempotencyKey key = IdempotencyKey.parse(vhost, request.getHeaders().getFirst(IdempotencyKey.HEADER));
        MediaType contentType = ContentTypes.of(request);
        long now = System.currentTimeMillis();
        return BodyReader.read(request, props.maxRequestBytes().toBytes(), "request body")
                .publishOn(Schedulers.parallel())
                .map(body -> {
                    byte[] bytes = new byte[body.remaining()];
                    body.get(bytes);
                    List<PublishEntry> entries = parser.parse(bytes, contentType, now, exchange,
                            key == null ? null : key.messageIdPrefix());
                    check.accept(entries);
                    byte[] fingerprint = key == null ? null : IdempotencyKey.sha256(utf8(vhost), utf8(destination),
                            utf8(acks.wireName()), utf8(String.valueOf(contentType)), bytes);
                    return new Parsed(PublishRequestCodec.encode(entries), key, fingerprint);
                });
    }

    private Mono<Void> claim(Parsed p) {
        return p.key() == null ? Mono.empty() : idempotency.claim(p.key(), p.fingerprint());
    }

    private static void checkPartitions(List<PublishEntry> entries, TopicInfo topic) {
        for (int i = 0; i < entries.size(); i++) {
            int p = entries.get(i).partition();
            if (p != PublishEntry.ANY_PARTITION && p >= topic.partitions()) {
                throw TributaryException.notFound("message " + i + ": partition " + p + " does not exist; topic '"
                        + topic.name() + "' has partitions 0 to " + (topic.partitions() - 1));
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
