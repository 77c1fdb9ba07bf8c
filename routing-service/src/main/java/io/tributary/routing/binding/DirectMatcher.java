package io.tributary.routing.binding;

import io.tributary.protocol.admin.BindingInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Direct exchange: a binding matches when its key equals the routing key exactly. One hash lookup. */
public final class DirectMatcher implements BindingMatcher {
    private final Map<String, List<BindingInfo>> byKey = new HashMap<>();

    public DirectMatcher(Collection<BindingInfo> bindings) {
        for (BindingInfo b : bindings) {
            byKey.computeIfAbsent(b.routingKey() == null ? "" : b.routingKey(), k -> new ArrayList<>()).add(b);
        }
    }

    @Override
    public Collection<BindingInfo> match(String routingKey, Supplier<Map<String, String>> headers) {
        return byKey.getOrDefault(routingKey == null ? "" : routingKey, List.of());
    }
}
