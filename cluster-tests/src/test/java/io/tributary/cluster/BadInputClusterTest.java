package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Bad input gets a 4xx application/problem+json naming the problem, and a rejected batch stores nothing. */
class BadInputClusterTest {
    static Api api;
    static final String MESSAGES = "/api/v1/vhosts/default/topics/bad/messages";

    @BeforeAll
    static void cluster() {
        api = TestCluster.get().api();
        api.topicWithSubscription("bad", 2, null);
    }

    static void assertProblem(Api.Response r, int status, String type, String detailPart) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("type").asString()).isEqualTo(type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("detail").asString()).contains(detailPart);
    }

    long storedMessages() {
        long total = 0;
        for (JsonNode p : api.get("/api/v1/vhosts/default/topics/bad").json().get("partitions")) {
            total += p.get("endOffset").asLong() - p.get("startOffset").asLong();
        }
        return total;
    }

    @Test
    void malformedJson() {
        assertProblem(api.postJson(MESSAGES, "{\"payload\": "), 400, "malformed-request", "malformed JSON");
        assertProblem(api.postJson(MESSAGES, "[{\"payload\":1}, 5]"), 400, "malformed-request", "message 1");
        assertProblem(api.post(MESSAGES, "application/x-ndjson", "{\"payload\":1}\n{oops\n".getBytes(StandardCharsets.UTF_8)),
                400, "malformed-request", "line 2");
        assertProblem(api.put("/api/v1/vhosts/default/topics/bad2", "{\"partitions\": }"), 400, "malformed-request", "");
    }

    @Test
    void unknownVhostTopicAndPartition() {
        assertProblem(api.postJson("/api/v1/vhosts/nowhere/topics/bad/messages", "{\"payload\":1}"), 404, "not-found", "vhost 'nowhere'");
        assertProblem(api.postJson("/api/v1/vhosts/default/topics/missing/messages", "{\"payload\":1}"), 404, "not-found", "topic 'missing'");
        assertProblem(api.postJson(MESSAGES, "{\"payload\":1,\"partition\":2}"), 404, "not-found", "partition 2");
        assertProblem(api.get("/api/v1/vhosts/default/topics/bad/partitions/7/messages"), 404, "not-found", "partition 7");
        assertProblem(api.get("/api/v1/vhosts/default/topics/missing"), 404, "not-found", "topic 'missing'");
        assertProblem(api.get("/api/v1/vhosts/default/topics/bad/subscriptions/none/events"), 404, "not-found", "subscription 'none'");
        assertProblem(api.put("/api/v1/vhosts/nowhere/topics/t", "{}"), 404, "not-found", "vhost 'nowhere'");
    }

    @Test
    void invalidNames() {
        assertProblem(api.put("/api/v1/vhosts/default/topics/has:colon", "{}"), 400, "invalid-name", "topic name 'has:colon'");
        assertProblem(api.put("/api/v1/vhosts/b%20d", null), 400, "invalid-name", "vhost name");
        assertProblem(api.put("/api/v1/vhosts/default/topics/bad/subscriptions/s*", "{}"), 400, "invalid-name", "subscription name");
        assertProblem(api.postJson("/api/v1/vhosts/default/topics/" + "x".repeat(201) + "/messages", "{\"payload\":1}"),
                400, "invalid-name", "topic name");
    }

    @Test
    void payloadOverTheLimitStoresNothing() {
        long before = storedMessages();
        String big = "x".repeat(1024 * 1024 + 1);
        String body = "[{\"payload\":\"ok\"},{\"payload\":\"" + big + "\"}]";
        assertProblem(api.postJson(MESSAGES, body), 413, "payload-too-large", "message 1");
        assertThat(storedMessages()).isEqualTo(before);
    }

    @Test
    void aBatchWithOneBadMessageStoresNothingAtAll() {
        long before = storedMessages();
        assertProblem(api.postJson(MESSAGES, "[{\"payload\":1},{\"payload\":2},{\"payload\":3,\"colour\":\"red\"}]"),
                400, "invalid-argument", "unknown field 'colour'");
        assertProblem(api.postJson(MESSAGES, "[{\"payload\":1},{\"payload\":2,\"partition\":9}]"), 404, "not-found", "partition 9");
        assertProblem(api.postJson(MESSAGES, "[{\"payload\":1},{\"key\":5,\"payload\":2}]"), 400, "invalid-argument", "key must be a string");
        assertThat(storedMessages()).isEqualTo(before);
        assertThat(api.postJson(MESSAGES, "[{\"payload\":1},{\"payload\":2}]").status()).isEqualTo(200);
        assertThat(storedMessages()).isEqualTo(before + 2);
    }

    @Test
    void otherBadRequests() {
        assertProblem(api.post(MESSAGES, "text/plain", "hello".getBytes(StandardCharsets.UTF_8)), 415, "unsupported-media-type", "text/plain");
        assertProblem(api.postJson(MESSAGES + "?acks=some", "{\"payload\":1}"), 400, "invalid-argument", "acks");
        assertProblem(api.put("/api/v1/vhosts/default/topics/bad", "{\"partitions\":5}"), 409, "conflict", "different settings");
        assertProblem(api.put("/api/v1/vhosts/default/topics/typo", "{\"partitons\":5}"), 400, "invalid-argument", "unknown field 'partitons'");
        assertProblem(api.put("/api/v1/vhosts/default/topics/zero", "{\"partitions\":0}"), 400, "invalid-argument", "partitions");
        assertProblem(api.get("/api/v1/vhosts/default/topics/bad/partitions/0/messages?offset=999999"), 416, "offset-out-of-range", "past the end");
        assertProblem(api.get("/api/v1/vhosts/default/topics/bad/partitions/0/messages?limit=0"), 400, "invalid-argument", "limit");
        assertProblem(api.get("/api/v1/no/such/path"), 404, "not-found", "");
        assertProblem(api.delete(MESSAGES), 405, "method-not-allowed", "");
    }
}
