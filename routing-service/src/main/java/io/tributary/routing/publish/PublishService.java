package io.tributary.routing.publish;

import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.ProblemWebExceptionHandler;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.publish.ExchangePublishResponse;
import io.tributary.protocol.publish.PublishEntry;
import io.tributary.protocol.publish.WritableTopics;
import io.tributary.protocol.publish.PublishResult;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.routing.batch.PartitionBatcher;
import io.tributary.routing.exchange.ExchangeRouter;
import io.tributary.routing.exchange.RoutingTable;
import io.tributary.routing.exchange.RoutingTableCache;
import io.tributary.routing.partition.PartitionChooser;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Publishes a request's messages: resolves each message's topics (the topic itself, or the
 * exchange's bindings), chooses a partition per topic, and hands the records to the
 * {@link PartitionBatcher}, which coalesces them with other requests' records per partition.
 * A message routed to several topics is copied into each topic's batch as is, never
 * re-encoded; a topic several bindings lead to gets it once. Results come back in request order.
 */
@Service
public class PublishService {
    private static final Logger log = LoggerFactory.getLogger(PublishService.class);

    private final MetadataWatcher metadata;
    private final PartitionBatcher batcher;
    private final RoutingTableCache tables;
    private final PartitionChooser chooser = new PartitionChooser();

    public PublishService(MetadataWatcher metadata, PartitionBatcher batcher, RoutingTableCache tables) {
        this.metadata = metadata;
        this.batcher = batcher;
        this.tables = tables;
    }

    public Mono<List<PublishResult>> publishToTopic(String vhost, String topic, List<PublishEntry> entries, Acks acks) {
        if (entries.isEmpty()) {
            return Mono.error(TributaryException.invalidArgument("a publish needs at least one message"));
        }
        return snapshot(m -> m.requireTopic(vhost, topic)).flatMap(t -> {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                all.add(i);
            }
            return place(vhost, Map.of(t, all), entries, acks)
                    .map(placed -> {
                        List<PublishResult> results = new ArrayList<>();
                        for (int i = 0; i < entries.size(); i++) {
                            results.add(placed.get(i).get(0));
                        }
                        return results;
                    });
        });
    }

    public Mono<List<ExchangePublishResponse.Result>> publishToExchange(String vhost, String exchange, List<PublishEntry> entries,
            Acks acks, WritableTopics writable) {
        if (entries.isEmpty()) {
            return Mono.error(TributaryException.invalidArgument("a publish needs at least one message"));
        }
        return snapshot(m -> {
            m.requireVhost(vhost);
            RoutingTable table = tables.current();
            if (!ExchangeRouter.DEFAULT_EXCHANGE.equals(exchange) && table.exchange(vhost, exchange).isEmpty()) {
                throw TributaryException.notFound("exchange '" + exchange + "' does not exist in vhost '" + vhost + "'");
            }
            Map<TopicInfo, List<Integer>> byTopic = new LinkedHashMap<>();
            for (int i = 0; i < entries.size(); i++) {
                PublishEntry e = entries.get(i);
                Set<String> topics = ExchangeRouter.route(table, m, vhost, exchange, e.routingKey(), headersOf(e));
                for (String topic : topics) {
                    writable.require(vhost, exchange, topic);
                    byTopic.computeIfAbsent(m.requireTopic(vhost, topic), k -> new ArrayList<>()).add(i);
                }
            }
            return byTopic;
        }).flatMap(byTopic -> place(vhost, byTopic, entries, acks)).map(placed -> {
            List<ExchangePublishResponse.Result> results = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                List<PublishResult> where = placed.get(i);
                results.add(where == null ? ExchangePublishResponse.Result.nowhere() : ExchangePublishResponse.Result.routedTo(where));
            }
            return results;
        });
    }

    /** Headers are decoded only if a headers exchange asks for them, and then only once. */
    private static Supplier<Map<String, String>> headersOf(PublishEntry e) {
        return new Supplier<>() {
            private Map<String, String> headers;

            @Override
            public Map<String, String> get() {
                if (headers == null) {
                    headers = RecordCodec.decode(e.record(), -1).headers();
                }
                return headers;
            }
        };
    }

    /** Looks something up in the metadata, refreshing once before giving up (a topic created a moment ago). */
    private <T> Mono<T> snapshot(java.util.function.Function<MetadataSnapshot, T> lookup) {
        return Mono.fromCallable(() -> lookup.apply(metadata.current()))
                .onErrorResume(TributaryException.class, e -> metadata.refresh().map(lookup));
    }

    /** One message's record going to one partition of one topic. */
    private record Placement(int entry, TopicInfo topic, int partition) {
    }

    /**
     * Chooses partitions and sends: the results per message index (a list, one per topic it
     * went to, in topic order). Messages routed nowhere get no entry. Every partition is tried
     * whatever happens to the others: a partition whose leader fails gets an error result for
     * each of its messages, next to the offsets of those stored elsewhere (the gateway answers
     * such a mix as {@code partially-stored}).
     */
    private Mono<Map<Integer, List<PublishResult>>> place(String vhost, Map<TopicInfo, List<Integer>> byTopic,
            List<PublishEntry> entries, Acks acks) {
        Map<String, List<Placement>> byPartition = new LinkedHashMap<>();
        for (Map.Entry<TopicInfo, List<Integer>> t : byTopic.entrySet()) {
            TopicInfo topic = t.getKey();
            PartitionChooser.Request choice = chooser.forRequest(topic.key(), topic.partitions());
            for (int i : t.getValue()) {
                PublishEntry e = entries.get(i);
                int p = choice.choose(e.partition(), RecordCodec.readKey(e.record()), RecordCodec.readId(e.record()));
                byPartition.computeIfAbsent(topic.name() + "\n" + p, k -> new ArrayList<>()).add(new Placement(i, topic, p));
            }
        }
        Flux<Map.Entry<Placement, PublishResult>> sends = Flux.fromIterable(byPartition.values()).flatMap(group -> {
            Placement first = group.get(0);
            String topic = first.topic().name();
            List<ByteBuffer> records = group.stream().map(pl -> entries.get(pl.entry()).record()).toList();
            return batcher.send(vhost, topic, first.partition(), acks, records)
                    .map(offsets -> {
                        List<Map.Entry<Placement, PublishResult>> out = new ArrayList<>();
                        for (int j = 0; j < group.size(); j++) {
                            out.add(Map.entry(group.get(j), new PublishResult(topic, first.partition(), offsets.get(j))));
                        }
                        return out;
                    })
                    .onErrorResume(e -> {
                        TributaryException problem = ProblemWebExceptionHandler.toProblem(e);
                        log.warn("publish to {}/{}/{} failed: {}", vhost, topic, first.partition(), problem.detail());
                        PublishResult.PublishError error = new PublishResult.PublishError(problem.type().slug(),
                                problem.type().status(), problem.detail());
                        return Mono.just(group.stream().map(pl -> Map.entry(pl, PublishResult.failed(topic, first.partition(), error)))
                                .toList());
                    })
                    .flatMapMany(Flux::fromIterable);
        });
        if (acks == Acks.NONE) {
            sends.subscribe(x -> { }, e -> log.warn("acks=none publish in {} failed: {}", vhost, e.toString()));
            Map<Integer, List<PublishResult>> results = new TreeMap<>();
            byPartition.values().forEach(g -> g.forEach(pl -> results.computeIfAbsent(pl.entry(), k -> new ArrayList<>())
                    .add(new PublishResult(pl.topic().name(), pl.partition(), -1))));
            return Mono.just(results);
        }
        return sends.collectList().map(done -> {
            Map<Integer, List<PublishResult>> results = new TreeMap<>();
            for (Map.Entry<Placement, PublishResult> d : done) {
                results.computeIfAbsent(d.getKey().entry(), k -> new ArrayList<>()).add(d.getValue());
            }
            results.values().forEach(list -> list.sort(java.util.Comparator.comparing(PublishResult::topic)));
            return results;
        });
    }
}
