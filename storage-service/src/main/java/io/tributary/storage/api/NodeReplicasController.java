package io.tributary.storage.api;

import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionId;
import io.tributary.storage.partition.PartitionRegistry;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@code GET /internal/replicas} (cluster token): every replica this node holds by the
 * metadata, with the highest leader epoch it accepted, its log end offset and the high
 * watermark it knows. One call per node is what {@code GET /api/v1/cluster} and a topic's
 * description ask for each replica's progress.
 */
@RestController
public class NodeReplicasController {
    private final PartitionRegistry registry;
    private final MetadataWatcher metadata;
    private final Scheduler disk;
    private final StorageProperties props;

    public NodeReplicasController(PartitionRegistry registry, MetadataWatcher metadata, Scheduler diskScheduler, StorageProperties props) {
        this.registry = registry;
        this.metadata = metadata;
        this.disk = diskScheduler;
        this.props = props;
    }

    /** One replica's progress; {@code sizeBytes} is what its log holds on disk (a moving replica's bytes copied). */
    public record ReplicaReport(String vhost, String topic, int partition, int latestEpoch, long logEndOffset, long highWatermark,
            long logStartOffset, long sizeBytes) {
    }

    @GetMapping("/internal/replicas")
    public Mono<List<ReplicaReport>> replicas() {
        return Mono.fromCallable(() -> {
            MetadataSnapshot m = metadata.current();
            List<ReplicaReport> out = new ArrayList<>();
            for (TopicInfo t : m.metadata().topics()) {
                for (PartitionInfo p : t.assignments()) {
                    if (p.replicas().contains(props.nodeId())) {
                        Partition partition = registry.get(new PartitionId(t.vhost(), t.name(), t.id(), p.partition()));
                        out.add(new ReplicaReport(t.vhost(), t.name(), p.partition(), partition.latestEpoch(),
                                partition.log().endOffset(), partition.highWatermark().value(), partition.log().startOffset(),
                                partition.log().sizeInBytes()));
                    }
                }
            }
            return out;
        }).subscribeOn(disk);
    }
}
