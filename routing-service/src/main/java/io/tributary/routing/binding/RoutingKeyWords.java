package io.tributary.routing.binding;

import java.util.Arrays;
import java.util.List;

/**
 * Routing keys and topic patterns as RabbitMQ reads them: words separated by {@code .};
 * empty words count ({@code a..b} is three words, the middle one empty), and the empty
 * string is zero words.
 */
public final class RoutingKeyWords {
    private RoutingKeyWords() {
    }

    public static List<String> split(String key) {
        if (key == null || key.isEmpty()) {
            return List.of();
        }
        return Arrays.asList(key.split("\\.", -1));
    }
}
