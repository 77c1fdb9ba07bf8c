package io.tributary.gateway.message;

import io.tributary.protocol.record.Record;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders a stored record as the JSON a consumer receives (WebSocket frame, SSE data, poll
 * item, browse item):
 * {@code {"id":"0-41","topic":"t","partition":0,"offset":41,"timestamp":...,"key":...,
 * "headers":{...},"tag":...,"payload":...,"deliveryCount":1}}.
 * A JSON payload is written as stored, without being parsed again; a byte payload becomes
 * {@code payloadBase64}, and a key that is not UTF-8 becomes {@code keyBase64}.
 */
public final class DeliveredMessage {
    private DeliveredMessage() {
    }

    public static String id(int partition, long offset) {
        return partition + "-" + offset;
    }

    /** Renders the record; {@code deliveryCount} is omitted when null (browsing is not a delivery). */
    public static String toJson(JsonMapper json, String topic, int partition, Record r, Integer deliveryCount) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160 + r.payload().length);
        try (JsonGenerator g = json.createGenerator(out)) {
            write(g, topic, partition, r, deliveryCount);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes the record as one JSON object into {@code g} (pages of browse results are written
     * this way, each message once). The payload goes out as stored, never parsed: however deep
     * it nests or however long its numbers, it is rendered exactly as it was published.
     */
    public static void write(JsonGenerator g, String topic, int partition, Record r, Integer deliveryCount) {
        {
            g.writeStartObject();
            g.writeStringProperty("id", id(partition, r.offset()));
            g.writeStringProperty("topic", topic);
            g.writeNumberProperty("partition", partition);
            g.writeNumberProperty("offset", r.offset());
            g.writeNumberProperty("timestamp", r.timestamp());
            writeKey(g, r.key());
            g.writeName("headers");
            g.writeStartObject();
            for (Map.Entry<String, String> h : r.headers().entrySet()) {
                g.writeStringProperty(h.getKey(), h.getValue());
            }
            g.writeEndObject();
            g.writeStringProperty("tag", r.tag());
            if (r.id() != null) {
                g.writeStringProperty("messageId", r.id());
            }
            if (r.jsonPayload()) {
                g.writeName("payload");
                g.writeRawValue(new String(r.payload(), StandardCharsets.UTF_8));
            } else {
                g.writeStringProperty("payloadBase64", Base64.getEncoder().encodeToString(r.payload()));
            }
            if (deliveryCount != null) {
                g.writeNumberProperty("deliveryCount", deliveryCount);
            }
            g.writeEndObject();
        }
    }

    private static void writeKey(JsonGenerator g, byte[] key) {
        if (key == null) {
            g.writeNullProperty("key");
            return;
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key)).toString();
            g.writeStringProperty("key", s);
        } catch (CharacterCodingException notText) {
            g.writeNullProperty("key");
            g.writeStringProperty("keyBase64", Base64.getEncoder().encodeToString(key));
        }
    }
}
