package io.tributary.gateway.cluster;

import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.TributaryException;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Lookups in this gateway's metadata copy that refresh it once before answering
 * {@code not-found}: another gateway may have created the topic a moment ago.
 */
@Component
public class MetadataLookup {
    private final MetadataWatcher metadata;

    public MetadataLookup(MetadataWatcher metadata) {
        this.metadata = metadata;
    }

    /** Completes when {@code vhost} exists, else fails with not-found. */
    public Mono<Void> vhost(String vhost) {
        return lookup(m -> {
            m.requireVhost(vhost);
            return Boolean.TRUE;
        }).then();
    }

    public Mono<TopicInfo> topic(String vhost, String topic) {
        return lookup(m -> m.requireTopic(vhost, topic));
    }

    public Mono<SubscriptionInfo> subscription(String vhost, String topic, String sub) {
        return lookup(m -> {
            m.requireTopic(vhost, topic);
            return m.subscription(vhost, topic, sub).orElseThrow(() -> TributaryException.notFound(
                    "subscription '" + sub + "' does not exist on topic '" + topic + "' (create it with PUT .../subscriptions/" + sub + ")"));
        });
    }

    private <T> Mono<T> lookup(Function<MetadataSnapshot, T> find) {
        return Mono.fromCallable(() -> find.apply(metadata.current()))
                .onErrorResume(TributaryException.class, e -> metadata.refresh().map(find));
    }
}
