package io.tributary.protocol.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.problem.TributaryException;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** RocketMQ tag filters: what they take, exactly, and what is refused. */
class TagFilterTest {

    @Test
    void starAndNothingTakeEveryMessageIncludingUntagged() {
        for (String all : new String[] {null, "", "  ", "*", " * "}) {
            TagFilter f = TagFilter.parse(all);
            assertThat(f.takesAll()).as("'%s'", all).isTrue();
            assertThat(f.matches(null)).isTrue();
            assertThat(f.matches("anything")).isTrue();
            assertThat(f.expression()).isEqualTo("*");
        }
    }

    @Test
    void alternativesAreExactCaseSensitiveAndCompareStringsNotHashes() {
        TagFilter f = TagFilter.parse("TagA || TagB");
        assertThat(f.takesAll()).isFalse();
        assertThat(f.matches("TagA")).isTrue();
        assertThat(f.matches("TagB")).isTrue();
        assertThat(f.matches("taga")).isFalse();
        assertThat(f.matches("TagA ")).isFalse();
        assertThat(f.matches("Tag")).isFalse();
        assertThat(f.matches(null)).as("untagged").isFalse();
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        TagFilter bb = TagFilter.parse("BB");
        assertThat(bb.matches("BB")).isTrue();
        assertThat(bb.matches("Aa")).as("same hash code, another tag").isFalse();
    }

    @Test
    void theCanonicalFormIsSortedAndSpacedSoEqualFiltersCompareEqual() {
        assertThat(TagFilter.parse("b||a").expression()).isEqualTo("a || b");
        assertThat(TagFilter.parse(" a ||b|| a")).isEqualTo(TagFilter.parse("b || a"));
        assertThat(TagFilter.parse(TagFilter.parse("x || y").expression())).isEqualTo(TagFilter.parse("y||x"));
    }

    @Test
    void malformedFiltersAreRefusedNamingTheField() {
        for (String bad : List.of("TagA ||", "|| TagB", "TagA |||| TagB", "A | B", "* || A", "A || *", "||", "A||" + "x".repeat(256))) {
            assertThatThrownBy(() -> TagFilter.parse(bad)).as("'%s'", bad).isInstanceOf(TributaryException.class)
                    .hasMessageContaining("filter");
        }
    }

    /** Against a model: a set of tags, and membership. */
    @Property(tries = 300)
    void takesExactlyTheTagsItNames(@ForAll @Size(min = 1, max = 5) Set<@StringLength(min = 1, max = 4) String> named,
            @ForAll @StringLength(min = 0, max = 4) String candidate) {
        List<String> clean = named.stream().map(String::strip).filter(t -> !t.isEmpty() && !t.contains("|") && !t.equals("*")).toList();
        if (clean.isEmpty()) {
            return;
        }
        TagFilter f = TagFilter.parse(String.join(" || ", clean));
        assertThat(f.matches(candidate)).as("%s takes '%s'", clean, candidate).isEqualTo(clean.contains(candidate));
        for (String t : clean) {
            assertThat(f.matches(t)).isTrue();
        }
    }
}
