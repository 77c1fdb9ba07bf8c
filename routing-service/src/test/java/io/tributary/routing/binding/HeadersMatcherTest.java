package io.tributary.routing.binding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadersMatcherTest {
    static Map<String, String> args(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void allNeedsEveryHeaderAnyNeedsOne() {
        Map<String, String> h = Map.of("format", "pdf", "type", "report");
        assertThat(HeadersMatcher.matches(args("x-match", "all", "format", "pdf", "type", "report"), h)).isTrue();
        assertThat(HeadersMatcher.matches(args("x-match", "all", "format", "pdf", "type", "log"), h)).isFalse();
        assertThat(HeadersMatcher.matches(args("x-match", "any", "format", "zip", "type", "report"), h)).isTrue();
        assertThat(HeadersMatcher.matches(args("x-match", "any", "format", "zip", "type", "log"), h)).isFalse();
        assertThat(HeadersMatcher.matches(args("format", "pdf"), h)).as("all by default").isTrue();
    }

    @Test
    void nullValuesMatchOnPresence() {
        assertThat(HeadersMatcher.matches(args("x-match", "all", "format", null), Map.of("format", "anything"))).isTrue();
        assertThat(HeadersMatcher.matches(args("x-match", "all", "format", null), Map.of("other", "x"))).isFalse();
    }

    @Test
    void xArgumentsCountOnlyWithX() {
        Map<String, String> h = Map.of("x-trace", "1");
        assertThat(HeadersMatcher.matches(args("x-match", "any", "x-trace", "1"), h)).isFalse();
        assertThat(HeadersMatcher.matches(args("x-match", "any-with-x", "x-trace", "1"), h)).isTrue();
        assertThat(HeadersMatcher.matches(args("x-match", "all-with-x", "x-trace", "2"), h)).isFalse();
        assertThat(HeadersMatcher.matches(args("x-match", "all"), Map.of())).as("nothing to compare: all matches").isTrue();
    }
}
