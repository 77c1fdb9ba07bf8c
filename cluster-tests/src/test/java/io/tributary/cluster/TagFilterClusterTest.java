package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Tag filters (RocketMQ syntax) on subscriptions, through the real cluster: storage leaves out
 * what the filter does not take, so an SSE consumer sees exactly the matching messages, in
 * order, and nothing of the rest; tags with equal Java hash codes ({@code Aa}, {@code BB})
 * stay apart; malformed filters and settings a group would ignore are refused.
 */
class TagFilterClusterTest {
    static final String V = "/api/v1/vhosts/default";
    static Api api;

    @BeforeAll
    static void start() {
        api = TestCluster.get().api();
    }

    /** Publishes one message per tag (null: untagged), payload {"n":i}; returns nothing, the order is the list's. */
    static void publish(String topic, List<String> tags) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < tags.size(); i++) {
            body.append(i == 0 ? "" : ",").append("{\"payload\":{\"n\":").append(i).append('}');
            if (tags.get(i) != null) {
                body.append(",\"tag\":\"").append(tags.get(i)).append('"');
            }
            body.append('}');
        }
        Api.Response r = api.postJson(V + "/topics/" + topic + "/messages", body.append(']').toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** Reads the subscription over SSE until the message with {@code lastN} arrives; the n of everything seen. */
    static List<Integer> readUntil(String topic, String sub, int lastN) throws Exception {
        List<Integer> seen = new ArrayList<>();
        try (SseClient sse = SseClient.open(api.http(), api.uri(V + "/topics/" + topic + "/subscriptions/" + sub + "/events"), null)) {
            while (seen.isEmpty() || seen.get(seen.size() - 1) != lastN) {
                JsonNode m = Api.JSON.readTree(sse.take(1, Duration.ofSeconds(30)).get(0).data());
                seen.add(m.get("payload").get("n").asInt());
            }
        }
        return seen;
    }

    static void subscribe(String topic, String sub, String filter) {
        Api.Response r = api.put(V + "/topics/" + topic + "/subscriptions/" + sub,
                "{\"type\":\"group\",\"startAt\":\"earliest\",\"filter\":\"" + filter + "\"}");
        assertThat(r.status()).as(r.body()).isIn(200, 201);
    }

    @Test
    void aSubscriptionSeesExactlyTheMessagesItsFilterTakes() throws Exception {
        String topic = "tagged";
        api.topicWithSubscription(topic, 1, null);
        subscribe(topic, "ab", "TagA || TagB");
        subscribe(topic, "bb", "BB");
        subscribe(topic, "all", "*");
        // Enough untagged and other-tag messages between matches that whole fetches match nothing.
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            tags.add(switch (i % 10) {
                case 0 -> "TagA";
                case 3 -> "TagB";
                case 5 -> "Aa";
                case 7 -> "BB";
                case 8 -> "taga";
                default -> i < 150 ? null : "TagC";
            });
        }
        tags.add("TagA");
        tags.add("BB"); // the last message of each filtered read (the sentinel)
        tags.add("TagB");
        publish(topic, tags);

        List<Integer> ab = readUntil(topic, "ab", tags.size() - 1);
        List<Integer> expectedAb = new ArrayList<>();
        List<Integer> expectedBb = new ArrayList<>();
        for (int i = 0; i < tags.size(); i++) {
            if ("TagA".equals(tags.get(i)) || "TagB".equals(tags.get(i))) {
                expectedAb.add(i);
            }
            if ("BB".equals(tags.get(i))) {
                expectedBb.add(i);
            }
        }
        assertThat(ab).as("TagA || TagB").isEqualTo(expectedAb);
        assertThat(readUntil(topic, "bb", tags.size() - 2)).as("BB, not Aa (same hash code)").isEqualTo(expectedBb);
        List<Integer> all = readUntil(topic, "all", tags.size() - 1);
        assertThat(all).hasSize(tags.size());

        JsonNode view = api.get(V + "/topics/" + topic + "/subscriptions/ab").json();
        assertThat(view.get("filter").asString()).isEqualTo("TagA || TagB");
    }

    @Test
    void malformedFiltersAndSettingsAGroupWouldIgnoreAreRefused() {
        String topic = "tag-refusals";
        api.topicWithSubscription(topic, 1, null);
        Map<String, String> refused = Map.of(
                "{\"type\":\"group\",\"filter\":\"TagA ||\"}", "filter",
                "{\"type\":\"group\",\"filter\":\"A | B\"}", "filter",
                "{\"type\":\"group\",\"filter\":\"* || A\"}", "filter",
                "{\"type\":\"group\",\"maxDeliveries\":3}", "maxDeliveries",
                "{\"type\":\"group\",\"deadLetterTopic\":\"dlq\"}", "deadLetterTopic",
                "{\"type\":\"group\",\"ackTimeoutMs\":1000}", "ackTimeoutMs");
        refused.forEach((body, field) -> {
            Api.Response r = api.put(V + "/topics/" + topic + "/subscriptions/s", body);
            assertThat(r.status()).as("%s -> %s", body, r.body()).isEqualTo(400);
            assertThat(r.contentType()).contains("application/problem+json");
            assertThat(r.json().get("detail").asString()).contains(field);
        });
        assertThat(api.get(V + "/topics/" + topic + "/subscriptions/s").status()).as("nothing was created").isEqualTo(404);
    }
}
