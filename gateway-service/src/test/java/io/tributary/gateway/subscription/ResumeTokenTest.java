package io.tributary.gateway.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.metadata.StartPosition;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.problem.TributaryException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ResumeTokenTest {
    static SubscriptionInfo sub(String name, long createdAt) {
        return new SubscriptionInfo("default", "orders", name, "group", StartPosition.earliest(), null, 0, 0, null, createdAt, false);
    }

    static final SubscriptionInfo SUB = sub("billing", 1000);

    @Property
    void decodeInvertsEncode(@ForAll @Size(max = 50) Map<@IntRange(min = 0, max = 10_000) Integer, @LongRange(min = 0) Long> positions) {
        assertThat(ResumeToken.decode(SUB, ResumeToken.encode(SUB, positions))).isEqualTo(positions);
    }

    @Test
    void aTokenOfAnotherSubscriptionIsRefused() {
        String token = ResumeToken.encode(SUB, Map.of(0, 5L));
        assertThatThrownBy(() -> ResumeToken.decode(sub("shipping", 1000), token)).hasMessageContaining("another subscription");
        assertThatThrownBy(() -> ResumeToken.decode(sub("billing", 2000), token)).as("declared again")
                .hasMessageContaining("another subscription");
    }

    /** A token with this subscription's tag and {@code body} as positions. */
    static String forged(String body) {
        byte[] tag = Arrays.copyOf(Base64.getUrlDecoder().decode(ResumeToken.encode(SUB, Map.of()).substring(3)), 8);
        return "v2." + Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(8 + body.length())
                .put(tag).put(body.getBytes()).array());
    }

    @Test
    void refusesAnythingElse() {
        for (String bad : new String[] {"", "42", "v2.", "v2.!!!", "v1.MD0x", forged("0=-1"), forged("0=1,0=2"), forged("a=1"),
                forged("+1=3"), forged("0=0x10"), forged("00=1"), forged("0=1,")}) {
            assertThatThrownBy(() -> ResumeToken.decode(SUB, bad)).as(bad).isInstanceOf(TributaryException.class);
        }
        assertThat(ResumeToken.decode(SUB, forged(""))).isEmpty();
    }
}
