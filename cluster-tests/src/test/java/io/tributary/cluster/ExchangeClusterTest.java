package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.ClusterLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** RabbitMQ-style routing through the public API: every exchange type, alternates, chains, the default exchange. */
class ExchangeClusterTest {
    static TestCluster cluster;
    static Api api;
    static final String V = "/api/v1/vhosts/default";

    @BeforeAll
    static void start() {
        cluster = TestCluster.get();
        api = cluster.api();
        for (String t : List.of("ex-a", "ex-b", "ex-c", "ex-dead")) {
            api.topicWithSubscription(t, 2, null);
        }
    }

    static void exchange(String name, String type, String alternate) {
        String body = "{\"type\":\"" + type + "\"" + (alternate == null ? "" : ",\"alternateExchange\":\"" + alternate + "\"") + "}";
        Api.Response r = api.put(V + "/exchanges/" + name, body);
        assertThat(r.status()).as(r.body()).isIn(200, 201);
    }

    static JsonNode bind(String exchange, String body) {
        Api.Response r = api.postJson(V + "/exchanges/" + exchange + "/bindings", body);
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        return r.json();
    }

    /** Publishes messages (JSON objects with routingKey and payload) and returns the per-message results. */
    static JsonNode publish(String exchange, String... messages) {
        Api.Response r = api.postJson(V + "/exchanges/" + exchange + "/messages", "[" + String.join(",", messages) + "]");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("results");
    }

    static List<String> topicsOf(JsonNode result) {
        List<String> topics = new ArrayList<>();
        if (result.has("routed")) {
            result.get("routed").forEach(p -> topics.add(p.get("topic").asString()));
        }
        return topics;
    }

    static JsonNode stored(JsonNode placement) {
        JsonNode page = api.get(V + "/topics/" + placement.get("topic").asString() + "/partitions/" + placement.get("partition").asInt()
                + "/messages?offset=" + placement.get("offset").asLong() + "&limit=1").json();
        return page.get("messages").get(0);
    }

    @Test
    void directRoutesOnTheExactKeyAndReportsUnroutableMessages() {
        exchange("x-direct", "direct", null);
        bind("x-direct", "{\"destination\":\"ex-a\",\"routingKey\":\"orders\"}");
        JsonNode results = publish("x-direct", "{\"routingKey\":\"orders\",\"payload\":{\"n\":1}}",
                "{\"routingKey\":\"refunds\",\"payload\":{\"n\":2}}");
        assertThat(topicsOf(results.get(0))).containsExactly("ex-a");
        assertThat(results.get(1).get("unroutable").asBoolean()).isTrue();
        assertThat(results.get(1).has("routed")).isFalse();
        assertThat(stored(results.get(0).get("routed").get(0)).get("payload").get("n").asInt()).isEqualTo(1);
    }

    @Test
    void fanoutCopiesToEveryBoundTopic() {
        exchange("x-fanout", "fanout", null);
        bind("x-fanout", "{\"destination\":\"ex-a\"}");
        bind("x-fanout", "{\"destination\":\"ex-b\"}");
        JsonNode r = publish("x-fanout", "{\"routingKey\":\"anything\",\"key\":\"k1\",\"payload\":\"hello\"}");
        assertThat(topicsOf(r.get(0))).containsExactlyInAnyOrder("ex-a", "ex-b");
        for (JsonNode placement : r.get(0).get("routed")) {
            JsonNode m = stored(placement);
            assertThat(m.get("payload").asString()).isEqualTo("hello");
            assertThat(m.get("key").asString()).isEqualTo("k1");
        }
    }

    /**
     * What RabbitMQ accepts, Tributary accepts: a routing key (or arguments) on a fanout or
     * headers binding is kept as part of the binding's identity and ignored for routing; a
     * direct binding without a key binds the empty key; two bindings to one topic that differ
     * only in key are two bindings, and a message they both match is stored once.
     */
    @Test
    void bindingsAcceptWhatRabbitMqAccepts() {
        exchange("x-fan-keyed", "fanout", null);
        JsonNode withKey = bind("x-fan-keyed", "{\"destination\":\"ex-a\",\"routingKey\":\"ignored\"}");
        JsonNode emptyKey = bind("x-fan-keyed", "{\"destination\":\"ex-a\",\"routingKey\":\"\",\"arguments\":{\"x-any\":\"1\"}}");
        assertThat(withKey.get("id")).isNotEqualTo(emptyKey.get("id"));
        JsonNode r = publish("x-fan-keyed", "{\"routingKey\":\"whatever\",\"payload\":\"fan\"}");
        assertThat(topicsOf(r.get(0))).containsExactly("ex-a");

        exchange("x-direct-empty", "direct", null);
        bind("x-direct-empty", "{\"destination\":\"ex-b\"}");
        assertThat(topicsOf(publish("x-direct-empty", "{\"routingKey\":\"\",\"payload\":1}").get(0))).containsExactly("ex-b");
        assertThat(publish("x-direct-empty", "{\"routingKey\":\"k\",\"payload\":1}").get(0).get("unroutable").asBoolean()).isTrue();

        Api.Response declared = api.put(V + "/exchanges/x-rabbit-style", "{\"type\":\"direct\",\"durable\":true,"
                + "\"autoDelete\":false,\"internal\":false,\"arguments\":{\"alternate-exchange\":\"x-fan-keyed\"}}");
        assertThat(declared.status()).as(declared.body()).isIn(200, 201);
        assertThat(declared.json().get("alternateExchange").asString()).isEqualTo("x-fan-keyed");
        BadInputClusterTest.assertProblem(api.put(V + "/exchanges/x-transient", "{\"type\":\"direct\",\"durable\":false}"),
                400, "invalid-argument", "durable");

        exchange("x-hdr-any", "headers", null);
        bind("x-hdr-any", "{\"destination\":\"ex-b\",\"routingKey\":\"ignored\",\"arguments\":{\"x-match\":\"any\"}}");
        assertThat(publish("x-hdr-any", "{\"routingKey\":\"k\",\"headers\":{\"a\":\"b\"},\"payload\":1}").get(0)
                .get("unroutable").asBoolean()).as("x-match any with nothing to compare matches nothing, as in RabbitMQ").isTrue();
    }

    @Test
    void topicPatternsAndAMessageMatchedTwiceIsStoredOnce() {
        exchange("x-topic", "topic", null);
        bind("x-topic", "{\"destination\":\"ex-a\",\"routingKey\":\"*.orange.*\"}");
        bind("x-topic", "{\"destination\":\"ex-b\",\"routingKey\":\"*.*.rabbit\"}");
        bind("x-topic", "{\"destination\":\"ex-b\",\"routingKey\":\"lazy.#\"}");
        JsonNode r = publish("x-topic",
                "{\"routingKey\":\"quick.orange.rabbit\",\"payload\":1}",
                "{\"routingKey\":\"lazy.pink.rabbit\",\"payload\":2}",
                "{\"routingKey\":\"quick.brown.fox\",\"payload\":3}",
                "{\"routingKey\":\"lazy.orange.new.rabbit\",\"payload\":4}",
                "{\"routingKey\":\"a..b\",\"payload\":5}");
        assertThat(topicsOf(r.get(0))).containsExactlyInAnyOrder("ex-a", "ex-b");
        assertThat(topicsOf(r.get(1))).as("two bindings to ex-b, stored once").containsExactly("ex-b");
        assertThat(r.get(2).get("unroutable").asBoolean()).isTrue();
        assertThat(topicsOf(r.get(3))).containsExactly("ex-b");
        assertThat(r.get(4).get("unroutable").asBoolean()).isTrue();
    }

    @Test
    void headersMatchAllOrAny() {
        exchange("x-headers", "headers", null);
        bind("x-headers", "{\"destination\":\"ex-a\",\"arguments\":{\"x-match\":\"all\",\"format\":\"pdf\",\"type\":\"report\"}}");
        bind("x-headers", "{\"destination\":\"ex-b\",\"arguments\":{\"x-match\":\"any\",\"format\":\"zip\",\"type\":\"log\"}}");
        JsonNode r = publish("x-headers",
                "{\"headers\":{\"format\":\"pdf\",\"type\":\"report\"},\"payload\":1}",
                "{\"headers\":{\"format\":\"pdf\",\"type\":\"log\"},\"payload\":2}",
                "{\"headers\":{\"format\":\"doc\"},\"payload\":3}");
        assertThat(topicsOf(r.get(0))).containsExactly("ex-a");
        assertThat(topicsOf(r.get(1))).containsExactly("ex-b");
        assertThat(r.get(2).get("unroutable").asBoolean()).isTrue();
    }

    @Test
    void theAlternateExchangeTakesUnroutedMessages() {
        exchange("x-ae-target", "fanout", null);
        bind("x-ae-target", "{\"destination\":\"ex-dead\"}");
        exchange("x-with-ae", "direct", "x-ae-target");
        bind("x-with-ae", "{\"destination\":\"ex-a\",\"routingKey\":\"known\"}");
        JsonNode r = publish("x-with-ae", "{\"routingKey\":\"known\",\"payload\":1}", "{\"routingKey\":\"other\",\"payload\":2}");
        assertThat(topicsOf(r.get(0))).containsExactly("ex-a");
        assertThat(topicsOf(r.get(1))).containsExactly("ex-dead");
    }

    @Test
    void exchangeToExchangeChains() {
        exchange("x-leaf", "direct", null);
        bind("x-leaf", "{\"destination\":\"ex-c\",\"routingKey\":\"eu.orders\"}");
        exchange("x-root", "topic", null);
        bind("x-root", "{\"destination\":\"x-leaf\",\"destinationType\":\"exchange\",\"routingKey\":\"eu.#\"}");
        bind("x-root", "{\"destination\":\"ex-a\",\"routingKey\":\"#\"}");
        JsonNode r = publish("x-root", "{\"routingKey\":\"eu.orders\",\"payload\":1}", "{\"routingKey\":\"us.orders\",\"payload\":2}");
        assertThat(topicsOf(r.get(0))).containsExactlyInAnyOrder("ex-a", "ex-c");
        assertThat(topicsOf(r.get(1))).containsExactly("ex-a");
    }

    @Test
    void theDefaultExchangeRoutesByTopicName() {
        JsonNode r = publish("amq.default", "{\"routingKey\":\"ex-c\",\"payload\":\"via default\"}",
                "{\"routingKey\":\"no-such-topic\",\"payload\":0}");
        assertThat(topicsOf(r.get(0))).containsExactly("ex-c");
        assertThat(stored(r.get(0).get("routed").get(0)).get("payload").asString()).isEqualTo("via default");
        assertThat(r.get(1).get("unroutable").asBoolean()).isTrue();
        // and a plain topic publish is the default exchange too
        assertThat(api.postJson(V + "/topics/ex-c/messages", "{\"payload\":1}").status()).isEqualTo(200);
    }

    @Test
    void badExchangeAndBindingRequestsAreRefusedAndChangeNothing() {
        exchange("x-strict", "direct", null);
        bind("x-strict", "{\"destination\":\"ex-a\",\"routingKey\":\"k\"}");
        JsonNode before = api.get(V + "/exchanges/x-strict").json();
        BadInputClusterTest.assertProblem(api.put(V + "/exchanges/x-strict", "{\"type\":\"topic\"}"), 409, "conflict", "already exists");
        BadInputClusterTest.assertProblem(api.put(V + "/exchanges/x-new", "{\"type\":\"round-robin\"}"), 400, "invalid-argument", "round-robin");
        BadInputClusterTest.assertProblem(api.put(V + "/exchanges/x-new", "{\"type\":\"direct\",\"alternateExchange\":\"nope\"}"),
                404, "not-found", "nope");
        BadInputClusterTest.assertProblem(api.put(V + "/exchanges/amq.mine", "{\"type\":\"direct\"}"), 400, "invalid-name", "reserved");
        BadInputClusterTest.assertProblem(api.postJson(V + "/exchanges/missing/bindings", "{\"destination\":\"ex-a\",\"routingKey\":\"k\"}"),
                404, "not-found", "exchange 'missing'");
        BadInputClusterTest.assertProblem(api.postJson(V + "/exchanges/x-strict/bindings", "{\"destination\":\"no-topic\",\"routingKey\":\"k\"}"),
                404, "not-found", "topic 'no-topic'");
        BadInputClusterTest.assertProblem(api.postJson(V + "/exchanges/x-strict/bindings",
                "{\"destination\":\"ex-a\",\"routingKey\":\"" + "k".repeat(256) + "\"}"), 400, "invalid-argument", "255 bytes");
        exchange("x-hdr", "headers", null);
        BadInputClusterTest.assertProblem(api.postJson(V + "/exchanges/x-hdr/bindings",
                "{\"destination\":\"ex-a\",\"arguments\":{\"x-match\":\"some\",\"a\":\"b\"}}"), 400, "invalid-argument", "x-match");
        BadInputClusterTest.assertProblem(api.postJson(V + "/exchanges/nowhere/messages", "{\"routingKey\":\"k\",\"payload\":1}"),
                404, "not-found", "exchange 'nowhere'");
        assertThat(api.get(V + "/exchanges/x-strict").json()).isEqualTo(before);
        assertThat(api.get(V + "/exchanges/x-hdr/bindings").json().get("bindings").size()).isZero();
        assertThat(api.get(V + "/exchanges/x-new").status()).isEqualTo(404);
    }

    @Test
    void bindingsAreIdempotentAndCanBeRemoved() {
        exchange("x-idem", "direct", null);
        JsonNode first = bind("x-idem", "{\"destination\":\"ex-a\",\"routingKey\":\"k\"}");
        Api.Response again = api.postJson(V + "/exchanges/x-idem/bindings", "{\"destination\":\"ex-a\",\"routingKey\":\"k\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id")).isEqualTo(first.get("id"));
        String id = first.get("id").asString();
        assertThat(api.get(V + "/exchanges/x-idem/bindings/" + id).status()).isEqualTo(200);
        assertThat(api.delete(V + "/exchanges/x-idem/bindings/" + id).status()).isEqualTo(204);
        assertThat(publish("x-idem", "{\"routingKey\":\"k\",\"payload\":1}").get(0).get("unroutable").asBoolean()).isTrue();
        assertThat(api.delete(V + "/exchanges/x-idem").status()).isEqualTo(204);
        assertThat(api.get(V + "/exchanges/x-idem").status()).isEqualTo(404);
    }

    @Test
    void aBindingDeclaredThroughOneRoutingInstanceRoutesOnAnotherWithinASecond() throws Exception {
        TestCluster.SecondEdge second = cluster.secondEdge();
        Api other = second.api();
        exchange("x-shared", "direct", null);
        long declared = System.currentTimeMillis();
        bind("x-shared", "{\"destination\":\"ex-b\",\"routingKey\":\"shared\"}");
        JsonNode routed = null;
        while (System.currentTimeMillis() - declared < 1000) {
            Api.Response r = other.postJson(V + "/exchanges/x-shared/messages", "{\"routingKey\":\"shared\",\"payload\":1}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            routed = r.json().get("results").get(0);
            if (routed.has("routed")) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(topicsOf(routed)).as("routed by the second routing instance within a second").containsExactly("ex-b");
    }

    @Test
    void concurrentPublishesToOnePartitionTravelAsFewerBatches() throws Exception {
        api.topicWithSubscription("linger", 1, null);
        String routingMetrics = "http://127.0.0.1:" + cluster.layout().service(ClusterLayout.ROUTING).port() + "/actuator/metrics/";
        Api routing = new Api("http://127.0.0.1:" + cluster.layout().service(ClusterLayout.ROUTING).port(), null);
        double requestsBefore = metric(routing, "tributary.routing.requests");
        double batchesBefore = metric(routing, "tributary.routing.batches");
        List<CompletableFuture<Api.Response>> calls = new ArrayList<>();
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(32);
        try {
            for (int i = 0; i < 200; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> api.postJson(V + "/topics/linger/messages", "{\"payload\":1}"), clients));
            }
            for (CompletableFuture<Api.Response> c : calls) {
                assertThat(c.get().status()).isEqualTo(200);
            }
        } finally {
            clients.shutdown();
        }
        double requests = metric(routing, "tributary.routing.requests") - requestsBefore;
        double batches = metric(routing, "tributary.routing.batches") - batchesBefore;
        assertThat(requests).isEqualTo(200);
        System.out.printf("200 publishes from 32 clients travelled as %.0f batches%n", batches);
        // 32 requests in flight at a time against one partition with one batch in flight: at
        // least two requests share a batch on average (without coalescing it would be 200).
        assertThat(batches).as("200 concurrent publishes coalesced (%s)", routingMetrics).isLessThanOrEqualTo(100);
        // and the breaker of every storage node shows up in Actuator
        JsonNode breakers = routing.get("/actuator/circuitbreakers").json().get("circuitBreakers");
        assertThat(breakers.propertyNames()).anyMatch(n -> n.startsWith("storage-"));
        // and the gateway's own guards: routing, the coordinator, the storage nodes it reads from
        api.get(V + "/topics/linger/partitions/0/messages?limit=1");
        JsonNode gatewayBreakers = api.get("/actuator/circuitbreakers").json().get("circuitBreakers");
        assertThat(gatewayBreakers.propertyNames()).contains("routing", "coordinator").anyMatch(n -> n.startsWith("storage-"));
    }

    static double metric(Api routing, String name) {
        return routing.get("/actuator/metrics/" + name).json().get("measurements").get(0).get("value").asDouble();
    }
}
