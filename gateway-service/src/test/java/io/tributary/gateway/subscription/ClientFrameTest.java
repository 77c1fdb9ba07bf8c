package io.tributary.gateway.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.problem.TributaryException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ClientFrameTest {
    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void parsesTheThreeFrames() {
        ClientFrame ack = ClientFrame.parse(JSON, "{\"ack\":[\"0-41\",\"2-7\"]}");
        assertThat(ack.kind()).isEqualTo(ClientFrame.Kind.ACK);
        assertThat(ack.ids()).containsExactly(new ClientFrame.MessageId(0, 41), new ClientFrame.MessageId(2, 7));
        ClientFrame nack = ClientFrame.parse(JSON, "{\"nack\":[\"0-42\"],\"requeue\":false}");
        assertThat(nack.kind()).isEqualTo(ClientFrame.Kind.NACK);
        assertThat(nack.requeue()).isFalse();
        assertThat(ClientFrame.parse(JSON, "{\"credit\":100}").credit()).isEqualTo(100);
    }

    @Test
    void refusesBadFrames() {
        for (String bad : new String[] {"x", "[]", "{}", "{\"ack\":[]}", "{\"ack\":[\"41\"]}", "{\"ack\":[\"a-1\"]}",
                "{\"ack\":[41]}", "{\"credit\":0}", "{\"credit\":-5}", "{\"credit\":\"9\"}", "{\"credit\":10000001}"}) {
            assertThatThrownBy(() -> ClientFrame.parse(JSON, bad)).as(bad).isInstanceOf(TributaryException.class);
        }
    }

    @Test
    void initialCreditDefaultsAndBounds() {
        assertThat(ClientFrame.initialCredit(null, 1000)).isEqualTo(1000);
        assertThat(ClientFrame.initialCredit("0", 1000)).isZero();
        assertThatThrownBy(() -> ClientFrame.initialCredit("lots", 1)).isInstanceOf(TributaryException.class);
    }
}
