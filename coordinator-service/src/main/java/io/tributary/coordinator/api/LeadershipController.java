package io.tributary.coordinator.api;

import io.tributary.coordinator.leadership.PartitionLeadership;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * A partition leader's in-sync set changes (Kafka's AlterPartition):
 * {@code POST /internal/vhosts/{vhost}/topics/{topic}/partitions/{p}/isr}
 * with {@code {"leader","leaderEpoch","isr":[...]}}; 421 {@code not-leader} from anyone but the
 * current leader in the current epoch. Answers with the metadata version that holds the change.
 */
@RestController
public class LeadershipController {
    private final PartitionLeadership leadership;
    private final Offload offload;

    public LeadershipController(PartitionLeadership leadership, Offload offload) {
        this.leadership = leadership;
        this.offload = offload;
    }

    /** The body of an in-sync set change. */
    public record IsrChange(String leader, int leaderEpoch, List<String> isr) {
    }

    @PostMapping("/internal/vhosts/{vhost}/topics/{topic}/partitions/{partition}/isr")
    public Mono<ResponseEntity<Void>> alterIsr(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @RequestBody IsrChange change) {
        return offload.call(() -> {
            long version = leadership.alterIsr(vhost, topic, partition, change.leader(), change.leaderEpoch(), change.isr());
            return ResponseEntity.noContent().header(MetadataVersionHeader.NAME, Long.toString(version)).<Void>build();
        });
    }
}
