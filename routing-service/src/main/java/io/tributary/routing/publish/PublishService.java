package io.tributary.routing.publish;

import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.publish.PublishEntry;
import io.tributary.protocol.publish.PublishResult;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.routing.partition.PartitionChooser;
import io.tributary.routing.storage.AppendResponse;
import io.tributary.routing.storage.StorageClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Publishes a request's messages to one topic: chooses each message's partition, copies the
 * records of each partition into one batch (the records stay as the gateway encoded them)
 * and sends the batches to their leaders in parallel. Results come back in request order.
 */
@Service
public class PublishService {
    private static final Logger log = LoggerFactory.getLogger(PublishService.class);

    private final MetadataWatcher metadata;
    private final StorageClient storage;
    private final PartitionChooser chooser = new PartitionChooser();

    public PublishService(MetadataWatcher metadata, StorageClient storage) {
        this.metadata = metadata;
        this.storage = storage;
    }

    public Mono<List<PublishResult>> publish(String vhost, String topic, List<PublishEntry> entries, Acks acks) {
        if (entries.isEmpty()) {
            return Mono.error(TributaryException.invalidArgument("a publish needs at least one message"));
        }
        return topic(vhost, topic).flatMap(t -> {
            Map<Integer, List<Integer>> byPartition = group(t, entries);
            Flux<Placed> sends = Flux.fromIterable(byPartition.entrySet())
                    .flatMap(e -> send(t, e.getKey(), e.getValue(), entries));
            if (acks == Acks.NONE) {
                sends.subscribe(p -> { }, e -> log.warn("acks=none publish to {}/{} failed: {}", vhost, topic, e.toString()));
                return Mono.just(results(t.name(), entries.size(), byPartition, null));
            }
            return sends.collectList().map(placed -> results(t.name(), entries.size(), byPartition, placed));
        });
    }

    private Mono<TopicInfo> topic(String vhost, String topic) {
        return Mono.fromCallable(() -> metadata.current().requireTopic(vhost, topic))
                .onErrorResume(TributaryException.class, e -> metadata.refresh().map(m -> m.requireTopic(vhost, topic)));
    }

    /** Message indexes per chosen partition, each list in request order. */
    private Map<Integer, List<Integer>> group(TopicInfo t, List<PublishEntry> entries) {
        PartitionChooser.Request choice = chooser.forRequest(t.key(), t.partitions());
        Map<Integer, List<Integer>> byPartition = new TreeMap<>();
        for (int i = 0; i < entries.size(); i++) {
            PublishEntry e = entries.get(i);
            int p = choice.choose(e.partition(), RecordCodec.readKey(e.record()), RecordCodec.readId(e.record()));
            byPartition.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
        }
        return byPartition;
    }

    /** A partition's batch once stored: where its records landed. */
    private record Placed(int partition, AppendResponse stored) {
    }

    private Mono<Placed> send(TopicInfo t, int partition, List<Integer> indexes, List<PublishEntry> entries) {
        RecordBatchBuilder builder = new RecordBatchBuilder();
        indexes.forEach(i -> builder.add(entries.get(i).record()));
        return storage.append(t.vhost(), t.name(), partition, builder.build())
                .map(r -> new Placed(partition, r));
    }

    private static List<PublishResult> results(String topic, int count, Map<Integer, List<Integer>> byPartition,
            List<Placed> placed) {
        PublishResult[] results = new PublishResult[count];
        Map<Integer, AppendResponse> stored = new TreeMap<>();
        if (placed != null) {
            placed.forEach(p -> stored.put(p.partition(), p.stored()));
        }
        byPartition.forEach((partition, indexes) -> {
            AppendResponse r = stored.get(partition);
            for (int j = 0; j < indexes.size(); j++) {
                results[indexes.get(j)] = new PublishResult(topic, partition, r == null ? -1 : r.offsetOf(j));
            }
        });
        return Arrays.asList(results);
    }

}
