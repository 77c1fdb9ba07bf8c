package io.tributary.protocol.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ProblemRelayTest {
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void rebuildsTheProblemThatWasRendered() {
        TributaryException original = TributaryException.notFound("topic 't' does not exist");
        byte[] body = json.writeValueAsBytes(ProblemWebExceptionHandler.document(original, "/x"));
        TributaryException back = ProblemRelay.fromBody(404, body, null, json);
        assertThat(back.type()).isEqualTo(ProblemType.NOT_FOUND);
        assertThat(back.detail()).isEqualTo("topic 't' does not exist");
    }

    @Test
    void unknownBodiesKeepTheStatus() {
        TributaryException back = ProblemRelay.fromBody(503, "oops".getBytes(StandardCharsets.UTF_8), "3", json);
        assertThat(back.type()).isEqualTo(ProblemType.UNAVAILABLE);
        assertThat(back.retryAfter()).isEqualTo(Duration.ofSeconds(3));
    }

    /** A bare internal error status (say Netty's 414) never reaches a client as such. */
    @Test
    void aBareInternalAnswerDoesNotLeakItsStatus() {
        TributaryException back = ProblemRelay.fromBody(414, new byte[0], null, json);
        assertThat(back.type()).isEqualTo(ProblemType.INTERNAL_ERROR);
        assertThat(back.detail()).doesNotContain("414").doesNotContain("HTTP");
    }

    @Test
    void everyTypeMapsBackFromItsSlug() {
        for (ProblemType t : ProblemType.values()) {
            assertThat(ProblemType.fromSlug(t.slug(), 599)).isEqualTo(t);
        }
    }
}
