package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A batch of keyed messages a test published, and where the cluster said each one went:
 * the reference that consumed messages are checked against.
 */
final class Published {
    record Message(int seq, String key, int partition, long offset) {
        String id() {
            return partition + "-" + offset;
        }
    }

    final List<Message> messages = new ArrayList<>();
    private final Map<String, Message> byId = new HashMap<>();

    /** Publishes {@code count} messages with {@code keys} distinct keys, in one JSON array. */
    static Published batch(Api api, String topic, int count, int keys) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append("{\"key\":\"k").append(i % keys).append("\",\"headers\":{\"seq\":\"").append(i)
                    .append("\"},\"payload\":{\"seq\":").append(i).append(",\"text\":\"message ").append(i).append("\"}}");
        }
        body.append(']');
        Api.Response r = api.postJson("/api/v1/vhosts/default/topics/" + topic + "/messages", body.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode results = r.json().get("results");
        assertThat(results.size()).isEqualTo(count);
        Published p = new Published();
        for (int i = 0; i < count; i++) {
            JsonNode res = results.get(i);
            assertThat(res.get("topic").asString()).isEqualTo(topic);
            p.add(new Message(i, "k" + (i % keys), res.get("partition").asInt(), res.get("offset").asLong()));
        }
        return p;
    }

    void add(Message m) {
        messages.add(m);
        byId.put(m.id(), m);
    }

    /**
     * Checks delivered message JSON against what was published: every message exactly once,
     * content intact, and offsets strictly increasing within each partition (the delivery
     * order of a partition is its log order, which is publish order).
     */
    void assertDeliveredExactlyOnceInOrder(List<JsonNode> delivered) {
        Map<Integer, Long> lastOffset = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (JsonNode d : delivered) {
            String id = d.get("id").asString();
            Message m = byId.get(id);
            assertThat(m).as("delivered %s was never published", id).isNotNull();
            assertThat(seen.merge(id, 1, Integer::sum)).as("delivered twice: %s", id).isEqualTo(1);
            assertThat(d.get("partition").asInt()).isEqualTo(m.partition());
            assertThat(d.get("offset").asLong()).isEqualTo(m.offset());
            assertThat(d.get("key").asString()).isEqualTo(m.key());
            assertThat(d.get("payload").get("seq").asInt()).isEqualTo(m.seq());
            assertThat(d.get("payload").get("text").asString()).isEqualTo("message " + m.seq());
            assertThat(d.get("headers").get("seq").asString()).isEqualTo(Integer.toString(m.seq()));
            Long previous = lastOffset.put(m.partition(), m.offset());
            if (previous != null) {
                assertThat(m.offset()).as("partition %d out of order", m.partition()).isGreaterThan(previous);
            }
        }
        assertThat(seen.keySet()).hasSize(messages.size());
    }

    /** Messages with the same key share a partition, and within it their offsets follow publish order. */
    void assertKeysKeepTheirPartitionAndOrder() {
        Map<String, Message> lastByKey = new HashMap<>();
        for (Message m : messages) {
            Message prev = lastByKey.put(m.key(), m);
            if (prev != null) {
                assertThat(m.partition()).as("key %s moved partition", m.key()).isEqualTo(prev.partition());
                assertThat(m.offset()).isGreaterThan(prev.offset());
            }
        }
    }
}
