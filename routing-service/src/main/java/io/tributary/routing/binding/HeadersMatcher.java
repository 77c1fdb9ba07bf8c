package io.tributary.routing.binding;

import io.tributary.protocol.admin.BindingInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Headers exchange, as RabbitMQ matches it: each binding's arguments name headers and values;
 * {@code x-match=all} needs every one to match, {@code any} at least one. A null value needs
 * the header only to be present. Arguments starting with {@code x-} are ignored unless the
 * mode is {@code all-with-x} or {@code any-with-x}. Without arguments to compare, {@code all}
 * matches every message and {@code any} none.
 */
public final class HeadersMatcher implements BindingMatcher {
    public static final String X_MATCH = "x-match";
    public static final Set<String> MODES = Set.of("all", "any", "all-with-x", "any-with-x");

    private final List<BindingInfo> bindings;

    public HeadersMatcher(Collection<BindingInfo> bindings) {
        this.bindings = List.copyOf(bindings);
    }

    @Override
    public Collection<BindingInfo> match(String routingKey, Supplier<Map<String, String>> headers) {
        Map<String, String> h = headers.get();
        List<BindingInfo> out = new ArrayList<>();
        for (BindingInfo b : bindings) {
            if (matches(b.arguments(), h)) {
                out.add(b);
            }
        }
        return out;
    }

    static boolean matches(Map<String, String> arguments, Map<String, String> headers) {
        String mode = arguments == null ? "all" : arguments.getOrDefault(X_MATCH, "all");
        boolean all = mode.startsWith("all");
        boolean withX = mode.endsWith("-with-x");
        if (arguments != null) {
            for (Map.Entry<String, String> a : arguments.entrySet()) {
                String name = a.getKey();
                if (name.equals(X_MATCH) || (!withX && name.startsWith("x-"))) {
                    continue;
                }
                boolean ok = headers.containsKey(name) && (a.getValue() == null || a.getValue().equals(headers.get(name)));
                if (all && !ok) {
                    return false;
                }
                if (!all && ok) {
                    return true;
                }
            }
        }
        return all; // all: nothing failed; any: nothing matched
    }
}
