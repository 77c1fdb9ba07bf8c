package io.tributary.gateway.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.problem.TributaryException;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ResumeTokenTest {
    @Property
    void decodeInvertsEncode(@ForAll @Size(max = 50) Map<@IntRange(min = 0, max = 10_000) Integer, @LongRange(min = 0) Long> positions) {
        assertThat(ResumeToken.decode(ResumeToken.encode(positions))).isEqualTo(positions);
    }

    @Test
    void refusesAnythingElse() {
        for (String bad : new String[] {"", "42", "v1.", "v1.!!!", "v2.MD0x", "v1." + java.util.Base64.getUrlEncoder().encodeToString("0=-1".getBytes()),
                "v1." + java.util.Base64.getUrlEncoder().encodeToString("0=1,0=2".getBytes()),
                "v1." + java.util.Base64.getUrlEncoder().encodeToString("a=1".getBytes())}) {
            if (bad.equals("v1.")) {
                assertThat(ResumeToken.decode(bad)).isEmpty();
                continue;
            }
            assertThatThrownBy(() -> ResumeToken.decode(bad)).as(bad).isInstanceOf(TributaryException.class);
        }
    }
}
