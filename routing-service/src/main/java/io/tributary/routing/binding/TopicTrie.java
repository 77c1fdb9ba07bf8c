package io.tributary.routing.binding;

import io.tributary.protocol.admin.BindingInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Topic exchange matching with a trie of binding patterns, word by word: {@code *} matches
 * exactly one word (an empty one too), {@code #} zero or more words, anything else itself.
 * Matching walks only the branches the routing key can follow, so its cost depends on the
 * key and the patterns' shape, not on how many bindings there are. Each (node, word
 * position) pair is visited at most once, which keeps patterns with several {@code #}
 * linear rather than exponential.
 */
public final class TopicTrie implements BindingMatcher {
    private int nodeCount;
    private final Node root = new Node();

    private final class Node {
        final int id = nodeCount++;
        final Map<String, Node> words = new HashMap<>();
        Node star;
        Node hash;
        final List<BindingInfo> bindings = new ArrayList<>();
    }

    public TopicTrie(Collection<BindingInfo> bindings) {
        bindings.forEach(this::add);
    }

    private void add(BindingInfo b) {
        Node n = root;
        for (String w : RoutingKeyWords.split(b.routingKey())) {
            if (w.equals("*")) {
                n = n.star != null ? n.star : (n.star = new Node());
            } else if (w.equals("#")) {
                n = n.hash != null ? n.hash : (n.hash = new Node());
            } else {
                n = n.words.computeIfAbsent(w, k -> new Node());
            }
        }
        n.bindings.add(b);
    }

    @Override
    public Collection<BindingInfo> match(String routingKey, Supplier<Map<String, String>> headers) {
        List<String> words = RoutingKeyWords.split(routingKey);
        Set<BindingInfo> out = new LinkedHashSet<>();
        walk(root, 0, words, out, new HashSet<>());
        return out;
    }

    private void walk(Node node, int i, List<String> words, Set<BindingInfo> out, Set<Long> visited) {
        if (!visited.add(((long) node.id << 32) | i)) {
            return;
        }
        if (node.hash != null) {
            for (int j = i; j <= words.size(); j++) {
                walk(node.hash, j, words, out, visited); // # takes words i..j-1 (possibly none)
            }
        }
        if (i == words.size()) {
            out.addAll(node.bindings);
            return;
        }
        Node exact = node.words.get(words.get(i));
        if (exact != null) {
            walk(exact, i + 1, words, out, visited);
        }
        if (node.star != null) {
            walk(node.star, i + 1, words, out, visited);
        }
    }
}
