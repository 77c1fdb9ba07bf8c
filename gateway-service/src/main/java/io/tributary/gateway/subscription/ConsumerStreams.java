package io.tributary.gateway.subscription;

import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.gateway.cluster.StorageReader;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.naming.Names;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Opens consumer streams, checking first that the subscription exists. Each stream is a new group member. */
@Component
public class ConsumerStreams {
    private final MetadataLookup lookup;
    private final GroupSession group;
    private final PartitionFeed feed;
    private final StorageReader storage;
    private final StartPositions starts;

    public ConsumerStreams(MetadataLookup lookup, GroupSession group, PartitionFeed feed, StorageReader storage,
            StartPositions starts) {
        this.lookup = lookup;
        this.group = group;
        this.feed = feed;
        this.storage = storage;
        this.starts = starts;
    }

    public Mono<ConsumerStream> open(String vhost, String topic, String sub, Map<Integer, Long> resume) {
        return subscription(vhost, topic, sub).map(info -> open(info, resume));
    }

    /** The subscription, its names checked first. */
    public Mono<SubscriptionInfo> subscription(String vhost, String topic, String sub) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Names.require("subscription", sub);
        return lookup.subscription(vhost, topic, sub);
    }

    /** A new member's stream of {@code info}, resuming at {@code resume} where it names a partition. */
    public ConsumerStream open(SubscriptionInfo info, Map<Integer, Long> resume) {
        return new ConsumerStream(info, "m-" + UUID.randomUUID(), resume, group, feed, storage, starts);
    }
}
