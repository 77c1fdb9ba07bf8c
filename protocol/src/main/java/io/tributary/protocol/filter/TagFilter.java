package io.tributary.protocol.filter;

import io.tributary.protocol.problem.TributaryException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A subscription's tag filter in RocketMQ's syntax: {@code *} (or nothing) takes every
 * message; {@code TagA || TagB} takes the messages whose tag is exactly one of those
 * (case-sensitive, compared as strings: two tags with the same hash code, {@code Aa} and
 * {@code BB}, stay apart). A message without a tag passes only {@code *}. Whitespace around
 * a tag (any Unicode white space) is ignored, as RocketMQ ignores spaces.
 *
 * <p>Stricter than RocketMQ where it silently accepts nonsense: an empty alternative
 * ({@code A ||}, {@code || B}), {@code *} beside a tag, a single {@code |}, or a tag longer
 * than a message's tag may be (255 UTF-8 bytes) is refused, naming the field.
 */
public final class TagFilter {
    /** The longest tag a message may carry, so the longest a filter may name. */
    public static final int MAX_TAG_BYTES = 255;
    private static final TagFilter ALL = new TagFilter(null);

    /** The accepted tags; null for every message. */
    private final Set<String> tags;

    private TagFilter(Set<String> tags) {
        this.tags = tags;
    }

    public static TagFilter all() {
        return ALL;
    }

    /** Parses {@code expression}; null, blank and {@code *} take everything. */
    public static TagFilter parse(String expression) {
        if (expression == null || expression.isBlank() || expression.strip().equals("*")) {
            return ALL;
        }
        Set<String> tags = new HashSet<>();
        for (String part : expression.split("\\|\\|", -1)) {
            String tag = part.strip();
            if (tag.isEmpty()) {
                throw refused(expression, "an empty tag between '||'");
            }
            if (tag.equals("*")) {
                throw refused(expression, "'*' must stand alone");
            }
            if (tag.indexOf('|') >= 0) {
                throw refused(expression, "tags are separated by '||', and a tag cannot contain '|'");
            }
            if (tag.getBytes(StandardCharsets.UTF_8).length > MAX_TAG_BYTES) {
                throw refused(expression, "a tag may have at most " + MAX_TAG_BYTES + " bytes");
            }
            tags.add(tag);
        }
        return new TagFilter(Set.copyOf(tags));
    }

    private static TributaryException refused(String expression, String why) {
        String shown = expression.length() > 80 ? expression.substring(0, 80) + "…" : expression;
        return TributaryException.invalidArgument("filter '" + shown + "' is not a tag filter (TagA || TagB, or *): " + why);
    }

    /** True when this filter takes every message (reads stay zero-copy). */
    public boolean takesAll() {
        return tags == null;
    }

    public boolean matches(String tag) {
        return tags == null || (tag != null && tags.contains(tag));
    }

    /** The canonical form: {@code *}, or the tags joined by {@code " || "} in sorted order. */
    public String expression() {
        return tags == null ? "*" : String.join(" || ", new TreeSet<>(tags));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TagFilter f && Objects.equals(tags, f.tags);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(tags);
    }

    @Override
    public String toString() {
        return expression();
    }
}
