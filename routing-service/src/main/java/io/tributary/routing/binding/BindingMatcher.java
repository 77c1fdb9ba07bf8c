package io.tributary.routing.binding;

import io.tributary.protocol.admin.BindingInfo;
import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;

/** Finds the bindings of one exchange that a message matches. Built once per routing table; immutable. */
public interface BindingMatcher {
    /**
     * @param headers the message's headers, decoded only if this matcher needs them
     */
    Collection<BindingInfo> match(String routingKey, Supplier<Map<String, String>> headers);
}
