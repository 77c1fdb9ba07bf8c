package io.tributary.gateway.cluster;

import io.tributary.protocol.admin.SubscriptionSpec;
import io.tributary.protocol.admin.TopicSpec;
import io.tributary.protocol.cluster.CoordinatorCall;
import io.tributary.protocol.cluster.ServiceGuard;
import io.tributary.protocol.cluster.ServiceGuards;
import io.tributary.protocol.metadata.GroupMembers;
import io.tributary.protocol.metadata.GroupState;
import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;
import org.springframework.stereotype.Component;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * The gateway's calls to the active controller ({@link CoordinatorCall} finds it among the
 * coordinators), each through the {@code coordinator} {@link ServiceGuard}. Every metadata
 * change waits until this gateway's own metadata copy holds it, so a client's next request
 * (publish to the topic it just created) sees it.
 */
@Component
public class CoordinatorClient {
    private static final String VERSION_HEADER = "X-Metadata-Version";

    private final CoordinatorCall coordinators;
    private final MetadataWatcher metadata;
    private final ServiceGuard guard;

    public CoordinatorClient(CoordinatorCall coordinators, MetadataWatcher metadata, ServiceGuards guards) {
        this.coordinators = coordinators;
        this.metadata = metadata;
        this.guard = guards.service("coordinator", Duration.ofSeconds(10));
    }

    /** One call to the active controller, guarded. */
    private <T> Mono<T> call(Function<WebClient, Mono<T>> request) {
        return coordinators.call(c -> guard.guard(request.apply(c)));
    }

    /** An answer that changed metadata: the body, whether something was created, and the snapshot that holds it. */
    public record Change<T>(T body, boolean created, MetadataSnapshot snapshot) {
    }

    public Mono<Change<Void>> putVhost(String vhost) {
        return change(c -> c.put().uri("/internal/vhosts/{vhost}", vhost).retrieve().toBodilessEntity());
    }

    public Mono<Change<TopicInfo>> putTopic(String vhost, String topic, TopicSpec spec) {
        return change(c -> c.put().uri("/internal/vhosts/{vhost}/topics/{topic}", vhost, topic)
                .bodyValue(spec).retrieve().toEntity(TopicInfo.class));
    }

    public Mono<Change<Void>> deleteTopic(String vhost, String topic) {
        return change(c -> c.delete().uri("/internal/vhosts/{vhost}/topics/{topic}", vhost, topic)
                .retrieve().toBodilessEntity());
    }

    public Mono<Change<SubscriptionInfo>> putSubscription(String vhost, String topic, String sub, SubscriptionSpec spec) {
        return change(c -> c.put().uri("/internal/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}", vhost, topic, sub)
                .bodyValue(spec).retrieve().toEntity(SubscriptionInfo.class));
    }

    public Mono<Change<Void>> deleteSubscription(String vhost, String topic, String sub) {
        return change(c -> c.delete().uri("/internal/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}", vhost, topic, sub)
                .retrieve().toBodilessEntity());
    }

    /** Heartbeats {@code member}, reporting the generation whose assignment it acts on. */
    public Mono<GroupState> heartbeat(String vhost, String topic, String sub, String member, long appliedGeneration) {
        return call(c -> c.post().uri("/internal/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/members/{member}?applied={applied}",
                        vhost, topic, sub, member, appliedGeneration)
                .retrieve().bodyToMono(GroupState.class));
    }

    public Mono<Void> leave(String vhost, String topic, String sub, String member) {
        return call(c -> c.delete().uri("/internal/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/members/{member}",
                        vhost, topic, sub, member)
                .retrieve().toBodilessEntity()).then();
    }

    public Mono<GroupMembers> members(String vhost, String topic, String sub) {
        return call(c -> c.get().uri("/internal/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/members", vhost, topic, sub)
                .retrieve().bodyToMono(GroupMembers.class));
    }

    /**
     * A cluster operation of the controller ({@code /internal/cluster/...}: moves, rebalance,
     * drain), its answer relayed as it is; after a change (anything but a GET) this gateway's
     * metadata is refreshed, so the client's next request sees it.
     */
    public Mono<ResponseEntity<JsonNode>> cluster(HttpMethod method, String path, Object body) {
        return call(c -> {
            WebClient.RequestBodySpec spec = c.method(method).uri("/internal/cluster" + path);
            return (body == null ? spec : spec.bodyValue(body)).retrieve().toEntity(JsonNode.class);
        }).flatMap(r -> method == HttpMethod.GET ? Mono.just(r) : metadata.refresh().thenReturn(r));
    }

    private <T> Mono<Change<T>> change(Function<WebClient, Mono<ResponseEntity<T>>> request) {
        return call(request).flatMap(r -> {
            String v = r.getHeaders().getFirst(VERSION_HEADER);
            long version = v == null ? 0 : Long.parseLong(v);
            return metadata.awaitVersion(version)
                    .map(s -> new Change<>(r.getBody(), r.getStatusCode().value() == 201, s));
        });
    }
}
