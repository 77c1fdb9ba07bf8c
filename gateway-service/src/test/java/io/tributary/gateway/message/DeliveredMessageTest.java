package io.tributary.gateway.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.record.Record;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class DeliveredMessageTest {
    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void rendersTheContractFieldsWithTheJsonPayloadInline() {
        Record r = new Record(41, 123, 0, 0, "k".getBytes(StandardCharsets.UTF_8), "TagA", null, Map.of("a", "b"),
                "{\"x\":1}".getBytes(StandardCharsets.UTF_8), true);
        JsonNode m = JSON.readTree(DeliveredMessage.toJson(JSON, "orders", 0, r, 1));
        assertThat(m.get("id").asString()).isEqualTo("0-41");
        assertThat(m.get("topic").asString()).isEqualTo("orders");
        assertThat(m.get("partition").asInt()).isZero();
        assertThat(m.get("offset").asLong()).isEqualTo(41);
        assertThat(m.get("timestamp").asLong()).isEqualTo(123);
        assertThat(m.get("key").asString()).isEqualTo("k");
        assertThat(m.get("headers").get("a").asString()).isEqualTo("b");
        assertThat(m.get("tag").asString()).isEqualTo("TagA");
        assertThat(m.get("payload").get("x").asInt()).isEqualTo(1);
        assertThat(m.get("deliveryCount").asInt()).isEqualTo(1);
    }

    @Test
    void bytesBecomeBase64AndNonUtf8KeysToo() {
        byte[] key = {(byte) 0xff, (byte) 0xfe};
        Record r = new Record(0, 1, 0, 0, key, null, null, Map.of(), new byte[] {1, 2}, false);
        JsonNode m = JSON.readTree(DeliveredMessage.toJson(JSON, "t", 3, r, null));
        assertThat(m.get("payloadBase64").asString()).isEqualTo(Base64.getEncoder().encodeToString(new byte[] {1, 2}));
        assertThat(m.has("payload")).isFalse();
        assertThat(m.get("key").isNull()).isTrue();
        assertThat(m.get("keyBase64").asString()).isEqualTo(Base64.getEncoder().encodeToString(key));
        assertThat(m.has("deliveryCount")).isFalse();
    }
}
