package io.tributary.routing.exchange;

import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.metadata.MetadataSnapshot;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Resolves where a message published to an exchange goes: the topics of the bindings it
 * matches, following exchange-to-exchange bindings, and the alternate exchange of any
 * exchange that routes it nowhere. Each topic appears once however many bindings lead to it;
 * each exchange is visited once, so binding cycles end. Bindings to topics that no longer
 * exist lead nowhere.
 */
public final class ExchangeRouter {
    /** The reserved name of the default exchange: a message goes to the topic named by its routing key. */
    public static final String DEFAULT_EXCHANGE = "amq.default";

    private ExchangeRouter() {
    }

    public static Set<String> route(RoutingTable table, MetadataSnapshot metadata, String vhost, String exchange,
            String routingKey, Supplier<Map<String, String>> headers) {
        Set<String> topics = new LinkedHashSet<>();
        if (DEFAULT_EXCHANGE.equals(exchange)) {
            if (routingKey != null && metadata.topic(vhost, routingKey).isPresent()) {
                topics.add(routingKey);
            }
            return topics;
        }
        routeInto(table, metadata, vhost, exchange, routingKey, headers, topics, new LinkedHashSet<>());
        return topics;
    }

    /** Adds the topics {@code exchange} routes to; true if it routed anywhere. */
    private static boolean routeInto(RoutingTable table, MetadataSnapshot metadata, String vhost, String exchange,
            String routingKey, Supplier<Map<String, String>> headers, Set<String> topics, Set<String> visited) {
        if (!visited.add(exchange)) {
            return false;
        }
        RoutingTable.Compiled ex = table.exchange(vhost, exchange).orElse(null);
        if (ex == null) {
            return false;
        }
        boolean routed = false;
        for (BindingInfo b : ex.matcher().match(routingKey, headers)) {
            if (b.toExchange()) {
                routed |= routeInto(table, metadata, vhost, b.destination(), routingKey, headers, topics, visited);
            } else if (metadata.topic(vhost, b.destination()).isPresent()) {
                topics.add(b.destination());
                routed = true;
            }
        }
        String alternate = ex.info().alternateExchange();
        if (!routed && alternate != null) {
            routed = routeInto(table, metadata, vhost, alternate, routingKey, headers, topics, visited);
        }
        return routed;
    }
}
