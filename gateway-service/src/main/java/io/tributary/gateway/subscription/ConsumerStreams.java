package io.tributary.gateway.subscription;

import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.gateway.cluster.SharedLeaderClient;
import io.tributary.gateway.cluster.StorageReader;
import io.tributary.protocol.metadata.GroupState;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Opens consumer streams, checking first that the subscription exists: a new group member, a
 * named broadcast consumer, or a consumer of a shared subscription.
 */
@Component
public class ConsumerStreams {
    private final MetadataLookup lookup;
    private final GroupSession group;
    private final PartitionFeed feed;
    private final StorageReader storage;
    private final StartPositions starts;
    private final MetadataWatcher metadata;
    private final SharedFeed sharedFeed;
    private final SharedLeaderClient sharedLeaders;
    private final GatewayProperties props;

    public ConsumerStreams(MetadataLookup lookup, GroupSession group, PartitionFeed feed, StorageReader storage,
            StartPositions starts, MetadataWatcher metadata, SharedFeed sharedFeed, SharedLeaderClient sharedLeaders,
            GatewayProperties props) {
        this.metadata = metadata;
        this.sharedFeed = sharedFeed;
        this.sharedLeaders = sharedLeaders;
        this.props = props;
        this.lookup = lookup;
        this.group = group;
        this.feed = feed;
        this.storage = storage;
        this.starts = starts;
    }

    /** The transports a consumer connects with; a member's id starts with its transport's. */
    public static final String WEBSOCKET = "ws";
    public static final String SSE = "sse";

    public Mono<Consumption> open(String vhost, String topic, String sub, String consumer, Map<Integer, Long> resume,
            String transport) {
        return subscription(vhost, topic, sub).flatMap(info -> SharedConsumer.handles(info.type())
                ? openShared(info, consumer, transport) : open(info, consumer, resume, transport));
    }

    /**
     * A new consumer of shared subscription {@code info}: it claims from every partition. It
     * joins the subscription's member list like a group member (heartbeats, so the view lists
     * it with its transport), though no partitions are assigned: any member gets any message;
     * with a single active consumer, only the member the heartbeat gives the partitions to.
     */
    public Mono<Consumption> openShared(SubscriptionInfo info, String consumer, String transport) {
        ConsumerIdentity.of(info, consumer); // refuses a consumer name, which only broadcast consumers have
        String member = memberId(transport);
        Flux<GroupState> membership = group.assignments(info.vhost(), info.topic(), info.name(), member);
        return lookup.topic(info.vhost(), info.topic()).map(t -> new SharedConsumer(info, t.partitions(), sharedFeed,
                sharedLeaders, props.fetchWait(), member, membership, this.untilDeleted(info)));
    }

    /** A new member's id: {@code m-<transport>-<uuid>}, so a subscription's members show how each consumes. */
    static String memberId(String transport) {
        return "m-" + transport + "-" + UUID.randomUUID();
    }

    /** The subscription, its names checked first. */
    public Mono<SubscriptionInfo> subscription(String vhost, String topic, String sub) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Names.require("subscription", sub);
        return lookup.subscription(vhost, topic, sub);
    }

    /**
     * A new consumer's stream of {@code info}, resuming at {@code resume} where it names a
     * partition: a new member of the group, or the broadcast consumer {@code consumer}, which
     * reads every partition of the topic with its own position.
     */
    public Mono<ConsumerStream> open(SubscriptionInfo info, String consumer, Map<Integer, Long> resume, String transport) {
        ConsumerIdentity identity = ConsumerIdentity.of(info, consumer);
        if (!identity.broadcast()) {
            String member = memberId(transport);
            return Mono.just(new ConsumerStream(identity, group.assignments(info.vhost(), info.topic(), info.name(), member), resume,
                    feed, storage, starts));
        }
        return lookup.topic(info.vhost(), info.topic()).map(t -> {
            List<Integer> all = IntStream.range(0, t.partitions()).boxed().toList();
            Flux<GroupState> everything = Flux.concat(Mono.just(new GroupState(-1, List.of(), all)), this.<GroupState>untilDeleted(info));
            return new ConsumerStream(identity, everything, resume, feed, storage, starts);
        });
    }

    /**
     * Nothing, until {@code info} is deleted (or declared anew): then not-found. Broadcast and
     * shared consumers have no group heartbeat to tell them, so they watch the metadata; a snapshot older than
     * the subscription (one that never showed it) does not count.
     */
    private <T> Flux<T> untilDeleted(SubscriptionInfo info) {
        AtomicBoolean seen = new AtomicBoolean();
        return metadata.updates()
                .filter(m -> {
                    boolean present = m.subscription(info.vhost(), info.topic(), info.name())
                            .map(s -> s.createdAt() == info.createdAt()).orElse(false);
                    if (present) {
                        seen.set(true);
                        return false;
                    }
                    return seen.get(); // gone after it was seen
                })
                .next()
                .flatMapMany(m -> Flux.error(TributaryException.notFound("subscription '" + info.name() + "' of topic '"
                        + info.topic() + "' was deleted")));
    }
}
