package io.tributary.gateway.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.metadata.StartPosition;
import io.tributary.protocol.problem.TributaryException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class StartPositionsTest {
    static final JsonMapper JSON = JsonMapper.builder().build();

    StartPosition parse(String json) {
        return StartPositions.parse(JSON.readTree(json), "startAt");
    }

    @Test
    void everyFormOfTheContract() {
        assertThat(parse("\"earliest\"")).isEqualTo(StartPosition.earliest());
        assertThat(parse("\"latest\"")).isEqualTo(StartPosition.latest());
        assertThat(parse("{\"position\":\"earliest\"}")).isEqualTo(StartPosition.earliest());
        assertThat(parse("{\"timestamp\":1700000000000}").timestamp()).isEqualTo(1700000000000L);
        assertThat(parse("{\"offset\":5}").offset()).isEqualTo(5);
        assertThat(parse("{\"offsets\":{\"0\":5,\"2\":9}}").offsets()).isEqualTo(Map.of("0", 5L, "2", 9L));
        assertThat(parse("null")).isNull();
    }

    @Test
    void refusesTheRest() {
        for (String bad : new String[] {"\"soon\"", "5", "{}", "{\"offset\":-1}", "{\"offset\":1,\"timestamp\":2}",
                "{\"position\":1}", "{\"offsets\":[1]}", "{\"offsets\":{\"0\":\"x\"}}", "{\"when\":1}"}) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(TributaryException.class);
        }
    }
}
