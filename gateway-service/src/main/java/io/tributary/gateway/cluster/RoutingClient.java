package io.tributary.gateway.cluster;

import io.tributary.gateway.GatewayProperties;
import io.tributary.protocol.cluster.InternalWebClients;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.publish.PublishResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/** Forwards publishes to routing: one request per client request, the records already encoded. */
@Component
public class RoutingClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final WebClient routing;

    public RoutingClient(InternalWebClients clients, GatewayProperties props) {
        this.routing = clients.forUrl(props.routingUrl());
    }

    public Mono<PublishResponse> publishToTopic(String vhost, String topic, Acks acks, ByteBuffer body) {
        return routing.post()
                .uri(u -> u.path("/internal/publish/{vhost}/topics/{topic}").queryParam("acks", acks.wireName()).build(vhost, topic))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(body)
                .retrieve()
                .bodyToMono(PublishResponse.class)
                .timeout(TIMEOUT);
    }
}
