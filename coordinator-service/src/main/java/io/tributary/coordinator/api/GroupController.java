package io.tributary.coordinator.api;

import io.tributary.coordinator.group.GroupMembership;
import io.tributary.protocol.metadata.GroupMembers;
import io.tributary.protocol.metadata.GroupState;
import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Consumer-group membership: heartbeat (join), leave, list. The gateway calls these per consumer connection. */
@RestController
@RequestMapping("/internal/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/members")
public class GroupController {
    private final GroupMembership groups;
    private final MetadataStore store;
    private final Offload offload;

    public GroupController(GroupMembership groups, MetadataStore store, Offload offload) {
        this.groups = groups;
        this.store = store;
        this.offload = offload;
    }

    /**
     * Joins or stays in the group. {@code applied} is the generation whose assignment the
     * member acts on (the one its previous heartbeat returned; -1 on joining), so observers
     * can tell when a rebalance has taken effect everywhere.
     */
    @PostMapping("/{member}")
    public Mono<GroupState> heartbeat(@PathVariable String vhost, @PathVariable String topic, @PathVariable String sub,
            @PathVariable String member, @RequestParam(defaultValue = "-1") long applied) {
        return offload.call(() -> {
            Names.require("member", member);
            TopicInfo t = requireSubscription(vhost, topic, sub);
            boolean singleActive = store.subscription(vhost, topic, sub).singleActiveConsumer();
            return groups.heartbeat(SubscriptionInfo.key(vhost, topic, sub), member, applied, t.partitions(), singleActive);
        });
    }

    @DeleteMapping("/{member}")
    public Mono<ResponseEntity<Void>> leave(@PathVariable String vhost, @PathVariable String topic, @PathVariable String sub,
            @PathVariable String member) {
        return offload.call(() -> {
            groups.leave(SubscriptionInfo.key(vhost, topic, sub), member);
            return ResponseEntity.noContent().<Void>build();
        });
    }

    @GetMapping
    public Mono<GroupMembers> members(@PathVariable String vhost, @PathVariable String topic, @PathVariable String sub) {
        return offload.call(() -> {
            requireSubscription(vhost, topic, sub);
            return groups.members(SubscriptionInfo.key(vhost, topic, sub));
        });
    }

    private TopicInfo requireSubscription(String vhost, String topic, String sub) {
        TopicInfo t = store.topic(vhost, topic);
        if (t == null) {
            throw TributaryException.notFound("topic '" + topic + "' does not exist in vhost '" + vhost + "'");
        }
        if (store.subscription(vhost, topic, sub) == null) {
            throw TributaryException.notFound("subscription '" + sub + "' does not exist on topic '" + topic + "'");
        }
        return t;
    }
}
