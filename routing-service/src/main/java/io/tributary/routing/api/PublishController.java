package io.tributary.routing.api;

import io.tributary.protocol.http.BodyReader;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.publish.ExchangePublishResponse;
import io.tributary.protocol.publish.PublishEntry;
import io.tributary.protocol.publish.PublishRequestCodec;
import io.tributary.protocol.publish.WritableTopics;
import io.tributary.protocol.publish.PublishResponse;
import io.tributary.protocol.record.CorruptRecordException;
import io.tributary.routing.RoutingProperties;
import io.tributary.routing.publish.PublishService;
import java.util.List;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The gateway's publishes, with a {@link PublishRequestCodec} body:
 * {@code POST /internal/publish/{vhost}/topics/{topic}?acks=} and
 * {@code POST /internal/publish/{vhost}/exchanges/{exchange}?acks=}, answered with one
 * result per message in request order.
 */
@RestController
public class PublishController {
    private final PublishService publisher;
    private final RoutingProperties props;

    public PublishController(PublishService publisher, RoutingProperties props) {
        this.publisher = publisher;
        this.props = props;
    }

    @PostMapping("/internal/publish/{vhost}/topics/{topic}")
    public Mono<PublishResponse> toTopic(@PathVariable String vhost, @PathVariable String topic,
            @RequestParam(required = false) String acks, ServerWebExchange exchange) {
        Acks level = Acks.parse(acks);
        return entries(exchange).flatMap(entries -> publisher.publishToTopic(vhost, topic, entries, level)).map(PublishResponse::new);
    }

    @PostMapping("/internal/publish/{vhost}/exchanges/{name}")
    public Mono<ExchangePublishResponse> toExchange(@PathVariable String vhost, @PathVariable String name,
            @RequestParam(required = false) String acks, ServerWebExchange exchange) {
        Acks level = Acks.parse(acks);
        WritableTopics writable = WritableTopics.fromHeader(exchange.getRequest().getHeaders().getFirst(WritableTopics.HEADER));
        return entries(exchange).flatMap(entries -> publisher.publishToExchange(vhost, name, entries, level, writable))
                .map(ExchangePublishResponse::new);
    }

    private Mono<List<PublishEntry>> entries(ServerWebExchange exchange) {
        return BodyReader.read(exchange.getRequest(), props.maxRequestBytes().toBytes(), "publish body").map(body -> {
            try {
                return PublishRequestCodec.decode(body);
            } catch (CorruptRecordException e) {
                throw TributaryException.malformed("publish body does not decode: " + e.getMessage());
            }
        });
    }
}
