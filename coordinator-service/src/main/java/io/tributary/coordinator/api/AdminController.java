package io.tributary.coordinator.api;

import io.tributary.coordinator.subscription.SubscriptionService;
import io.tributary.protocol.admin.SubscriptionSpec;
import io.tributary.coordinator.topic.TopicService;
import io.tributary.protocol.admin.TopicSpec;
import io.tributary.coordinator.vhost.VhostService;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Metadata changes the gateway forwards: vhosts, topics, subscriptions. */
@RestController
@RequestMapping("/internal/vhosts/{vhost}")
public class AdminController {
    private final VhostService vhosts;
    private final TopicService topics;
    private final SubscriptionService subscriptions;
    private final Offload offload;

    public AdminController(VhostService vhosts, TopicService topics, SubscriptionService subscriptions, Offload offload) {
        this.vhosts = vhosts;
        this.topics = topics;
        this.subscriptions = subscriptions;
        this.offload = offload;
    }

    @PutMapping
    public Mono<ResponseEntity<Map<String, Object>>> putVhost(@PathVariable String vhost) {
        return offload.call(() -> vhosts.create(vhost)).map(c -> ResponseEntity
                .status(c.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .header(MetadataVersionHeader.NAME, Long.toString(c.version()))
                .body(Map.of("name", vhost)));
    }

    @PutMapping("/topics/{topic}")
    public Mono<ResponseEntity<TopicInfo>> putTopic(@PathVariable String vhost, @PathVariable String topic,
            @RequestBody(required = false) TopicSpec spec) {
        return offload.call(() -> topics.create(vhost, topic, spec)).map(c -> ResponseEntity
                .status(c.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .header(MetadataVersionHeader.NAME, Long.toString(c.version()))
                .body(c.topic()));
    }

    @DeleteMapping("/topics/{topic}")
    public Mono<ResponseEntity<Void>> deleteTopic(@PathVariable String vhost, @PathVariable String topic) {
        return offload.call(() -> topics.delete(vhost, topic)).map(v -> ResponseEntity.noContent()
                .header(MetadataVersionHeader.NAME, Long.toString(v)).build());
    }

    @PutMapping("/topics/{topic}/subscriptions/{sub}")
    public Mono<ResponseEntity<SubscriptionInfo>> putSubscription(@PathVariable String vhost, @PathVariable String topic,
            @PathVariable String sub, @RequestBody(required = false) SubscriptionSpec spec) {
        return offload.call(() -> subscriptions.declare(vhost, topic, sub, spec)).map(d -> ResponseEntity
                .status(d.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .header(MetadataVersionHeader.NAME, Long.toString(d.version()))
                .body(d.subscription()));
    }

    @DeleteMapping("/topics/{topic}/subscriptions/{sub}")
    public Mono<ResponseEntity<Void>> deleteSubscription(@PathVariable String vhost, @PathVariable String topic,
            @PathVariable String sub) {
        return offload.call(() -> subscriptions.delete(vhost, topic, sub)).map(v -> ResponseEntity.noContent()
                .header(MetadataVersionHeader.NAME, Long.toString(v)).build());
    }
}
