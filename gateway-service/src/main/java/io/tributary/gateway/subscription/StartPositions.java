package io.tributary.gateway.subscription;

import io.tributary.gateway.cluster.StorageReader;
import io.tributary.protocol.metadata.StartPosition;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.problem.TributaryException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Start positions: parsing the public forms ({@code "earliest"}, {@code "latest"},
 * {@code {"position":...}}, {@code {"timestamp":ms}}, {@code {"offset":n}},
 * {@code {"offsets":{"0":n}}}) and turning one into an offset of a partition, asking its leader.
 */
@Component
public class StartPositions {
    private final StorageReader storage;

    public StartPositions(StorageReader storage) {
        this.storage = storage;
    }

    public static StartPosition parse(JsonNode node, String what) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isString()) {
            return position(node.asString(), what);
        }
        if (!node.isObject() || node.size() != 1) {
            throw TributaryException.invalidArgument(what + " is \"earliest\", \"latest\" or an object with exactly one of "
                    + "position, timestamp, offset, offsets");
        }
        if (node.has("position")) {
            if (!node.get("position").isString()) {
                throw TributaryException.invalidArgument(what + ".position must be \"earliest\" or \"latest\"");
            }
            return position(node.get("position").asString(), what);
        }
        if (node.has("timestamp")) {
            return new StartPosition(null, wholeNumber(node.get("timestamp"), what + ".timestamp"), null, null);
        }
        if (node.has("offset")) {
            return new StartPosition(null, null, wholeNumber(node.get("offset"), what + ".offset"), null);
        }
        if (node.has("offsets")) {
            JsonNode offsets = node.get("offsets");
            if (!offsets.isObject()) {
                throw TributaryException.invalidArgument(what + ".offsets must map partition numbers to offsets");
            }
            Map<String, Long> map = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = offsets.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                map.put(e.getKey(), wholeNumber(e.getValue(), what + ".offsets." + e.getKey()));
            }
            return new StartPosition(null, null, null, map);
        }
        throw TributaryException.invalidArgument(what + ": unknown start position " + node.propertyNames().iterator().next());
    }

    private static StartPosition position(String s, String what) {
        return switch (s) {
            case StartPosition.EARLIEST -> StartPosition.earliest();
            case StartPosition.LATEST -> StartPosition.latest();
            default -> throw TributaryException.invalidArgument(what + " must be \"earliest\" or \"latest\", not \"" + s + "\"");
        };
    }

    private static long wholeNumber(JsonNode n, String what) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw TributaryException.invalidArgument(what + " must be a non-negative whole number");
        }
        return n.longValue();
    }

    /**
     * Where {@code consumer} reads {@code partition} from when it has no position of its own
     * in hand: its committed cursor; for a broadcast consumer seen for the first time, the
     * subscription's own cursor (its start, fixed when it was declared); else the
     * subscription's {@code startAt}.
     */
    public Mono<Long> committedOrStart(ConsumerIdentity consumer, int partition) {
        SubscriptionInfo sub = consumer.subscription();
        Mono<Long> fresh = Mono.defer(() -> resolve(sub.vhost(), sub.topic(), partition, sub.startAt()));
        Mono<Long> first = !consumer.broadcast() ? fresh : storage.committed(sub.vhost(), sub.topic(), partition, sub.name())
                .flatMap(pinned -> pinned.map(Mono::just).orElse(fresh));
        return storage.committed(sub.vhost(), sub.topic(), partition, consumer.cursor())
                .flatMap(c -> c.map(Mono::just).orElse(first));
    }

    /** The offset of {@code partition} that {@code start} names, clamped to the log's bounds. */
    public Mono<Long> resolve(String vhost, String topic, int partition, StartPosition start) {
        Long explicit = start.offset() != null ? start.offset()
                : start.offsets() != null ? start.offsets().get(Integer.toString(partition)) : null;
        return storage.offsets(vhost, topic, partition, start.timestamp()).map(o -> {
            if (StartPosition.LATEST.equals(start.position())) {
                return o.endOffset();
            }
            if (start.timestamp() != null) {
                return o.offsetForTimestamp();
            }
            if (explicit != null) {
                return Math.max(o.startOffset(), Math.min(explicit, o.endOffset()));
            }
            return o.startOffset(); // earliest, or a partition the offsets map does not name
        });
    }
}
