package io.tributary.routing.exchange;

import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.admin.ExchangeInfo;
import io.tributary.routing.binding.BindingMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every exchange with its bindings compiled into a matcher: an immutable snapshot of one
 * version of the exchanges and bindings in Redis. Replaced whole on every change.
 */
public final class RoutingTable {
    /** An exchange ready to route: its declaration, its bindings, and their matcher. */
    public record Compiled(ExchangeInfo info, List<BindingInfo> bindings, BindingMatcher matcher) {
    }

    private final long version;
    private final Map<String, Compiled> exchanges;

    private RoutingTable(long version, Map<String, Compiled> exchanges) {
        this.version = version;
        this.exchanges = exchanges;
    }

    public static RoutingTable empty() {
        return new RoutingTable(-1, Map.of());
    }

    public static RoutingTable compile(long version, Collection<ExchangeInfo> exchanges, Collection<BindingInfo> bindings) {
        Map<String, List<BindingInfo>> bySource = new HashMap<>();
        for (BindingInfo b : bindings) {
            bySource.computeIfAbsent(ExchangeInfo.key(b.vhost(), b.source()), k -> new ArrayList<>()).add(b);
        }
        Map<String, Compiled> compiled = new HashMap<>();
        for (ExchangeInfo e : exchanges) {
            List<BindingInfo> own = bySource.getOrDefault(e.key(), List.of());
            compiled.put(e.key(), new Compiled(e, List.copyOf(own), ExchangeType.parse(e.type()).matcher(own)));
        }
        return new RoutingTable(version, Map.copyOf(compiled));
    }

    public long version() {
        return version;
    }

    public Optional<Compiled> exchange(String vhost, String name) {
        return Optional.ofNullable(exchanges.get(ExchangeInfo.key(vhost, name)));
    }

    public List<ExchangeInfo> exchanges(String vhost) {
        return exchanges.values().stream().map(Compiled::info).filter(e -> e.vhost().equals(vhost))
                .sorted(java.util.Comparator.comparing(ExchangeInfo::name)).toList();
    }

    /** Bindings anywhere in the vhost whose destination is this exchange (they go when it goes). */
    public List<BindingInfo> bindingsTo(String vhost, String exchange) {
        List<BindingInfo> to = new ArrayList<>();
        for (Compiled c : exchanges.values()) {
            for (BindingInfo b : c.bindings()) {
                if (b.vhost().equals(vhost) && b.toExchange() && b.destination().equals(exchange)) {
                    to.add(b);
                }
            }
        }
        return to;
    }
}
