package io.tributary.routing.binding;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.admin.BindingInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The trie against a plain recursive matcher over word lists, and RabbitMQ's documented cases. */
class TopicTrieTest {

    static BindingInfo binding(String pattern, String destination) {
        return new BindingInfo(pattern + "->" + destination, "v", "x", destination, BindingInfo.TOPIC, pattern, null);
    }

    /** The reference: RabbitMQ's rules read literally, one word at a time. */
    static boolean matches(List<String> pattern, List<String> key) {
        if (pattern.isEmpty()) {
            return key.isEmpty();
        }
        String p = pattern.get(0);
        if (p.equals("#")) {
            return matches(pattern.subList(1, pattern.size()), key) || (!key.isEmpty() && matches(pattern, key.subList(1, key.size())));
        }
        if (key.isEmpty()) {
            return false;
        }
        return (p.equals("*") || p.equals(key.get(0))) && matches(pattern.subList(1, pattern.size()), key.subList(1, key.size()));
    }

    @Provide
    Arbitrary<String> patterns() {
        return Arbitraries.of("a", "b", "", "*", "#").list().ofMaxSize(5).map(words -> String.join(".", words));
    }

    @Provide
    Arbitrary<String> keys() {
        return Arbitraries.of("a", "b", "", "c").list().ofMaxSize(5).map(words -> String.join(".", words));
    }

    @Property(tries = 2000)
    void agreesWithTheReference(@ForAll("patternLists") List<String> patterns, @ForAll("keys") String key) {
        List<BindingInfo> bindings = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            bindings.add(binding(patterns.get(i), "t" + i));
        }
        Set<BindingInfo> expected = new LinkedHashSet<>();
        for (BindingInfo b : bindings) {
            if (matches(RoutingKeyWords.split(b.routingKey()), RoutingKeyWords.split(key))) {
                expected.add(b);
            }
        }
        assertThat(new LinkedHashSet<>(new TopicTrie(bindings).match(key, Map::of))).isEqualTo(expected);
    }

    @Provide
    Arbitrary<List<String>> patternLists() {
        return patterns().list().ofMaxSize(8);
    }

    static Set<String> route(List<BindingInfo> bindings, String key) {
        return new TopicTrie(bindings).match(key, Map::of).stream().map(BindingInfo::destination).collect(Collectors.toSet());
    }

    /** RabbitMQ's topic tutorial: Q1 *.orange.*, Q2 *.*.rabbit and lazy.# */
    @Test
    void rabbitMqTutorialCases() {
        List<BindingInfo> b = List.of(binding("*.orange.*", "Q1"), binding("*.*.rabbit", "Q2"), binding("lazy.#", "Q2"));
        assertThat(route(b, "quick.orange.rabbit")).containsExactlyInAnyOrder("Q1", "Q2");
        assertThat(route(b, "lazy.orange.elephant")).containsExactlyInAnyOrder("Q1", "Q2");
        assertThat(route(b, "quick.orange.fox")).containsExactly("Q1");
        assertThat(route(b, "lazy.brown.fox")).containsExactly("Q2");
        assertThat(route(b, "lazy.pink.rabbit")).containsExactly("Q2");
        assertThat(new TopicTrie(b).match("lazy.pink.rabbit", Map::of)).hasSize(2); // both Q2 bindings match; the topic is stored once by the router
        assertThat(route(b, "quick.brown.fox")).isEmpty();
        assertThat(route(b, "orange")).isEmpty();
        assertThat(route(b, "quick.orange.new.rabbit")).isEmpty();
        assertThat(route(b, "lazy.orange.new.rabbit")).containsExactly("Q2");
    }

    @Test
    void emptyWordsAndTheEmptyKey() {
        List<BindingInfo> b = List.of(binding("a.*.b", "star"), binding("#", "all"), binding("*", "one"), binding("", "none"),
                binding("a.#.b", "hash"));
        assertThat(route(b, "a..b")).containsExactlyInAnyOrder("star", "all", "hash"); // three words, the middle one empty
        assertThat(route(b, "")).containsExactlyInAnyOrder("all", "none"); // zero words: # matches, * does not
        assertThat(route(b, ".")).containsExactlyInAnyOrder("all"); // two empty words
        assertThat(route(b, "x")).containsExactlyInAnyOrder("all", "one");
        assertThat(route(b, "a.b")).containsExactlyInAnyOrder("all", "hash");
        assertThat(route(b, "a.x.y.b")).containsExactlyInAnyOrder("all", "hash");
    }

    @Test
    void manyHashesStayFast() {
        List<BindingInfo> b = List.of(binding("#.#.#.#.#.#.#.#.#.#.x", "deep"));
        String key = String.join(".", java.util.Collections.nCopies(60, "w")) + ".y";
        long t0 = System.nanoTime();
        assertThat(route(b, key)).isEmpty();
        assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
    }
}
