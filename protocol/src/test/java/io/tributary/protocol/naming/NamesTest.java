package io.tributary.protocol.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void acceptsKafkaStyleNames() {
        assertThat(Names.isValid("orders")).isTrue();
        assertThat(Names.isValid("orders.v2_eu-west")).isTrue();
        assertThat(Names.isValid("a".repeat(Names.MAX_LENGTH))).isTrue();
    }

    @Test
    void rejectsPathTricksAndOddCharacters() {
        for (String bad : new String[] {"", ".", "..", "a/b", "a b", "ü", "a:b", "a".repeat(Names.MAX_LENGTH + 1), null}) {
            assertThat(Names.isValid(bad)).as(String.valueOf(bad)).isFalse();
        }
    }

    @Test
    void requireNamesTheKind() {
        assertThatThrownBy(() -> Names.require("topic", "a/b"))
                .isInstanceOf(TributaryException.class)
                .hasMessageContaining("topic name 'a/b'")
                .extracting(e -> ((TributaryException) e).type()).isEqualTo(ProblemType.INVALID_NAME);
    }
}
