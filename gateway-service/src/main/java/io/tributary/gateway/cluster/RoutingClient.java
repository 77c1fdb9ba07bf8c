package io.tributary.gateway.cluster;

import io.tributary.protocol.cluster.ServiceGuard;
import io.tributary.protocol.cluster.ServiceGuards;

import io.tributary.gateway.GatewayProperties;
import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.admin.BindingSpec;
import io.tributary.protocol.admin.ExchangeInfo;
import io.tributary.protocol.admin.ExchangeSpec;
import io.tributary.protocol.cluster.InternalWebClients;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.publish.WritableTopics;
import io.tributary.protocol.publish.ExchangePublishResponse;
import io.tributary.protocol.publish.PublishResponse;
import java.nio.ByteBuffer;
import java.util.List;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The gateway's calls to routing: publishes (records already encoded, one request per
 * client request) and exchange administration, all through a {@link ServiceGuard}.
 */
@Component
public class RoutingClient {
    private final WebClient routing;
    private final ServiceGuard guard;

    public RoutingClient(InternalWebClients clients, GatewayProperties props, ServiceGuards guards) {
        this.routing = clients.forUrl(props.routingUrl());
        this.guard = guards.service("routing", java.time.Duration.ofSeconds(30));
    }

    public Mono<PublishResponse> publishToTopic(String vhost, String topic, Acks acks, ByteBuffer body) {
        return guard.guard(routing.post()
                .uri(u -> u.path("/internal/publish/{vhost}/topics/{topic}").queryParam("acks", acks.wireName()).build(vhost, topic))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(body.duplicate())
                .retrieve()
                .bodyToMono(PublishResponse.class));
    }

    /** {@code writable}: the caller's write pattern, which every destination must match (see {@link WritableTopics}). */
    public Mono<ExchangePublishResponse> publishToExchange(String vhost, String exchange, Acks acks, ByteBuffer body, String writable) {
        return guard.guard(routing.post()
                .uri(u -> u.path("/internal/publish/{vhost}/exchanges/{exchange}").queryParam("acks", acks.wireName())
                        .build(vhost, exchange))
                .header(WritableTopics.HEADER, writable)
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(body.duplicate())
                .retrieve()
                .bodyToMono(ExchangePublishResponse.class));
    }

    public Mono<ResponseEntity<ExchangeInfo>> declareExchange(String vhost, String exchange, ExchangeSpec spec) {
        return guard.guard(routing.put().uri("/internal/vhosts/{vhost}/exchanges/{exchange}", vhost, exchange)
                .bodyValue(spec).retrieve().toEntity(ExchangeInfo.class));
    }

    public Mono<List<ExchangeInfo>> exchanges(String vhost) {
        return guard.guard(routing.get().uri("/internal/vhosts/{vhost}/exchanges", vhost)
                .retrieve().bodyToMono(new ParameterizedTypeReference<List<ExchangeInfo>>() { }));
    }

    public Mono<JsonNode> exchange(String vhost, String exchange) {
        return guard.guard(routing.get().uri("/internal/vhosts/{vhost}/exchanges/{exchange}", vhost, exchange)
                .retrieve().bodyToMono(JsonNode.class));
    }

    public Mono<Void> deleteExchange(String vhost, String exchange) {
        return guard.guard(routing.delete().uri("/internal/vhosts/{vhost}/exchanges/{exchange}", vhost, exchange)
                .retrieve().toBodilessEntity().then());
    }

    public Mono<ResponseEntity<BindingInfo>> bind(String vhost, String exchange, BindingSpec spec) {
        return guard.guard(routing.post().uri("/internal/vhosts/{vhost}/exchanges/{exchange}/bindings", vhost, exchange)
                .bodyValue(spec).retrieve().toEntity(BindingInfo.class));
    }

    public Mono<JsonNode> bindings(String vhost, String exchange) {
        return guard.guard(routing.get().uri("/internal/vhosts/{vhost}/exchanges/{exchange}/bindings", vhost, exchange)
                .retrieve().bodyToMono(JsonNode.class));
    }

    public Mono<BindingInfo> binding(String vhost, String exchange, String id) {
        return guard.guard(routing.get().uri("/internal/vhosts/{vhost}/exchanges/{exchange}/bindings/{id}", vhost, exchange, id)
                .retrieve().bodyToMono(BindingInfo.class));
    }

    public Mono<Void> unbind(String vhost, String exchange, String id) {
        return guard.guard(routing.delete().uri("/internal/vhosts/{vhost}/exchanges/{exchange}/bindings/{id}", vhost, exchange, id)
                .retrieve().toBodilessEntity().then());
    }
}
