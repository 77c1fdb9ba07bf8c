package io.tributary.routing.binding;

import io.tributary.protocol.admin.BindingInfo;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Fanout exchange: every binding matches, whatever the routing key. */
public final class FanoutMatcher implements BindingMatcher {
    private final List<BindingInfo> bindings;

    public FanoutMatcher(Collection<BindingInfo> bindings) {
        this.bindings = List.copyOf(bindings);
    }

    @Override
    public Collection<BindingInfo> match(String routingKey, Supplier<Map<String, String>> headers) {
        return bindings;
    }
}
