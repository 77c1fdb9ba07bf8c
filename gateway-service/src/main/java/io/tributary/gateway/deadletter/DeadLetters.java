package io.tributary.gateway.deadletter;

import io.tributary.gateway.cluster.RoutingClient;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.publish.PublishEntry;
import io.tributary.protocol.publish.PublishRequestCodec;
import io.tributary.protocol.publish.PublishResult;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.protocol.shared.ClaimedRange;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Publishes a shared subscription's dead letters to its {@code deadLetterTopic} (same vhost),
 * with {@code acks=all}: the message as it was (key, tag, payload, headers) plus headers naming
 * why and where from:
 * <pre>
 * x-dead-letter-reason       rejected | max-deliveries | expired
 * x-original-topic           the topic it was published to
 * x-original-partition       its partition there
 * x-original-offset          its offset there
 * x-original-subscription    the subscription that gave up on it
 * x-delivery-count           how often it was delivered
 * </pre>
 * Each dead letter carries a message id derived from its origin, so a publish retried (the
 * gateway died before it settled the message, and the next claim hands it out again) stores
 * nothing twice within the dedup window.
 */
@Component
public class DeadLetters {
    public static final String REASON = "x-dead-letter-reason";
    public static final String ORIGINAL_TOPIC = "x-original-topic";
    public static final String ORIGINAL_PARTITION = "x-original-partition";
    public static final String ORIGINAL_OFFSET = "x-original-offset";
    public static final String ORIGINAL_SUBSCRIPTION = "x-original-subscription";
    public static final String DELIVERY_COUNT = "x-delivery-count";

    private final RoutingClient routing;

    public DeadLetters(RoutingClient routing) {
        this.routing = routing;
    }

    /** One message on its way to the dead letter topic. */
    public record DeadLetter(int partition, Record record, ClaimedRange.Fate fate, int deliveries) {
    }

    /** Publishes {@code letters} (one request); fails unless every one was stored. */
    public Mono<Void> publish(SubscriptionInfo sub, List<DeadLetter> letters) {
        if (letters.isEmpty()) {
            return Mono.empty();
        }
        if (sub.deadLetterTopic() == null) {
            return Mono.error(new IllegalStateException(sub.key() + " has no dead letter topic"));
        }
        List<PublishEntry> entries = new ArrayList<>(letters.size());
        for (DeadLetter l : letters) {
            entries.add(new PublishEntry(-1, null, ByteBuffer.wrap(RecordCodec.encode(letter(sub, l)))));
        }
        return routing.publishToTopic(sub.vhost(), sub.deadLetterTopic(), Acks.ALL, PublishRequestCodec.encode(entries))
                .flatMap(r -> r.results().stream().anyMatch(PublishResult::failed)
                        ? Mono.error(TributaryException.unavailable("dead letters of " + sub.key() + " to '" + sub.deadLetterTopic()
                                + "' were not all stored; they are published again with the next claim"))
                        : Mono.<Void>empty());
    }

    static Record letter(SubscriptionInfo sub, DeadLetter l) {
        Record r = l.record();
        Map<String, String> headers = new LinkedHashMap<>(r.headers());
        headers.put(REASON, l.fate().reason());
        headers.put(ORIGINAL_TOPIC, sub.topic());
        headers.put(ORIGINAL_PARTITION, Integer.toString(l.partition()));
        headers.put(ORIGINAL_OFFSET, Long.toString(r.offset()));
        headers.put(ORIGINAL_SUBSCRIPTION, sub.name());
        headers.put(DELIVERY_COUNT, Integer.toString(l.deliveries()));
        // The origin names the message uniquely (a subscription declared again is a new one: its creation time).
        String id = "dlq:" + sub.name() + ":" + sub.createdAt() + ":" + l.partition() + "-" + r.offset();
        // A dead letter does not expire again on its way: the dead letter topic keeps it.
        return new Record(-1, System.currentTimeMillis(), 0, 0, r.key(), r.tag(), id, headers, r.payload(), r.jsonPayload());
    }
}
