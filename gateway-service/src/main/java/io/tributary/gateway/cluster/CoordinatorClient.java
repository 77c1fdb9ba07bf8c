package io.tributary.gateway.cluster;

import io.tributary.protocol.admin.SubscriptionSpec;
import io.tributary.protocol.admin.TopicSpec;
import io.tributary.protocol.cluster.InternalWebClients;
import io.tributary.protocol.metadata.GroupMembers;
import io.tributary.protocol.metadata.GroupState;
import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * The gateway's calls to the coordinator, through a {@link ServiceGuard}. Every metadata change waits until this gateway's
 * own metadata copy holds it, so a client's next request (publish to the topic it just
 * created) sees it.
 */
@Component
public class CoordinatorClient {
    private static final String VERSION_HEADER = "X-Metadata-Version";

    private final WebClient coordinator;
    private final MetadataWatcher metadata;
    private final ServiceGuard guard;

    public CoordinatorClient(InternalWebClients clients, MetadataWatcher metadata, ServiceGuards guards,
            @Value("${tributary.coordinator.url}") String url) {
        this.coordinator = clients.forUrl(url);
        this.metadata = metadata;
        this.guard = guards.coordinator();
    }

    /** An answer that changed metadata: the body, whether something was created, and the snapshot that holds it. */
    public record Change<T>(T body, boolean created, MetadataSnapshot snapshot) {
    }

    public Mono<Change<Void>> putVhost(String vhost) {
        return change(coordinator.put().uri("/internal/vhosts/{vhost}", vhost).retrieve().toBodilessEntity());
    }

    public Mono<Change<TopicInfo>> putTopic(String vhost, String topic, TopicSpec spec) {
        return change(coordinator.put().uri("/internal/vhosts/{vhost}/topics/{topic}", vhost, topic)
                .bodyValue(spec).retrieve().toEntity(TopicInfo.class));
    }

    public Mono<Change<Void>> deleteTopic(String vhost, String topic) {
        return change(coordinator.delete().uri("/internal/vhosts/{vhost}/topics/{topic}", vhost, topic)
                .retrieve().toBodilessEntity());
    }

    public Mono<Change<SubscriptionInfo>> putSubscription(String vhost, String topic, String sub, SubscriptionSpec spec) {
        return change(coordinator.put().uri("/internal/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}", vhost, topic, sub)
                .bodyValue(spec).retrieve().toEntity(SubscriptionInfo.class));
    }

    /** Heartbeats {@code member}, reporting the generation whose assignment it acts on. */
    public Mono<GroupState> heartbeat(String vhost, String topic, String sub, String member, long appliedGeneration) {
        return coordinator.post().uri("/internal/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/members/{member}?applied={applied}",
                        vhost, topic, sub, member, appliedGeneration)
                .retrieve().bodyToMono(GroupState.class).transform(guard::guard);
    }

    public Mono<Void> leave(String vhost, String topic, String sub, String member) {
        return coordinator.delete().uri("/internal/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/members/{member}",
                        vhost, topic, sub, member)
                .retrieve().toBodilessEntity().transform(guard::guard).then();
    }

    public Mono<GroupMembers> members(String vhost, String topic, String sub) {
        return coordinator.get().uri("/internal/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/members", vhost, topic, sub)
                .retrieve().bodyToMono(GroupMembers.class).transform(guard::guard);
    }

    private <T> Mono<Change<T>> change(Mono<ResponseEntity<T>> call) {
        return call.transform(guard::guard).flatMap(r -> {
            String v = r.getHeaders().getFirst(VERSION_HEADER);
            long version = v == null ? 0 : Long.parseLong(v);
            return metadata.awaitVersion(version)
                    .map(s -> new Change<>(r.getBody(), r.getStatusCode().value() == 201, s));
        });
    }
}
