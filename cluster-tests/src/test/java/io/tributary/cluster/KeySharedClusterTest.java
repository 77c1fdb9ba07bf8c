package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * key_shared subscriptions (Pulsar's) with real WebSocket consumers: three members split the
 * keys, each key with one member while the members stay the same; a fourth joins and one
 * leaves mid-stream, and every key's messages still arrive in publish order, each delivered
 * (and acked) in the end.
 */
class KeySharedClusterTest {
    static Api api;

    @BeforeAll
    static void start() {
        api = TestCluster.get().api();
    }

    /** One delivery as the consumers saw it, in the order they saw them (one list for all). */
    record Seen(String consumer, String key, int seq, int deliveryCount) {
    }

    static WsClient consumer(String topic, String name, List<Seen> seen) {
        return WsClient.open(api.http(), api.base(), "/ws/v1/vhosts/default/topics/" + topic + "/subscriptions/keys?credit=50",
                (client, frame) -> {
                    JsonNode m = Api.JSON.readTree(frame);
                    if (m.has("id")) {
                        synchronized (seen) {
                            seen.add(new Seen(name, m.get("key").asString(), m.get("payload").get("seq").asInt(),
                                    m.get("deliveryCount").asInt()));
                        }
                        client.send("{\"ack\":[\"" + m.get("id").asString() + "\"]}");
                        client.send("{\"credit\":1}");
                    }
                });
    }

    @Test
    void perKeyOrderHoldsWhileAMemberJoinsAndOneLeaves() throws Exception {
        String topic = "key-shared";
        api.topicWithSubscription(topic, 2, null);
        Api.Response declared = api.put("/api/v1/vhosts/default/topics/" + topic + "/subscriptions/keys",
                "{\"type\":\"key_shared\",\"startAt\":\"earliest\"}");
        assertThat(declared.status()).as(declared.body()).isEqualTo(201);
        List<Seen> seen = new ArrayList<>();
        Published all = new Published();
        try (WsClient a = consumer(topic, "a", seen); WsClient c = consumer(topic, "c", seen)) {
            WsClient b = consumer(topic, "b", seen);
            ConsumerGroupClusterTest.awaitSettledGroup(api, topic, "keys", 3);
            publish(all, 0, 150);
            awaitDistinct(seen, 150);
            Map<String, Set<String>> ownersBefore = owners(seen);
            assertThat(ownersBefore.values()).as("while the members stay the same, each key is with one member")
                    .allSatisfy(o -> assertThat(o).hasSize(1));
            Set<String> busy = new HashSet<>();
            ownersBefore.values().forEach(busy::addAll);
            assertThat(busy).as("the keys are split among the members").hasSizeGreaterThanOrEqualTo(2);

            try (WsClient d = consumer(topic, "d", seen)) {
                publish(all, 150, 150); // while d joins
                b.close();              // and b leaves
                publish(all, 300, 150);
                awaitDistinct(seen, 450);
            }
        }
        List<Seen> got;
        synchronized (seen) {
            got = List.copyOf(seen);
        }
        Map<String, Integer> lastSeq = new HashMap<>();
        for (Seen s : got) {
            Integer last = lastSeq.get(s.key());
            assertThat(last == null || s.seq() >= last)
                    .as("key %s: %d after %d (by %s)", s.key(), s.seq(), last, s.consumer()).isTrue();
            lastSeq.put(s.key(), s.seq());
        }
        Set<Integer> seqs = new HashSet<>();
        got.forEach(s -> seqs.add(s.seq()));
        assertThat(seqs).as("every message was delivered").hasSize(450);
        long again = got.stream().filter(s -> s.deliveryCount() > 1).count();
        System.out.printf("key_shared: %d deliveries of 450 messages over 20 keys (%d redelivered), owners before the changes %s%n",
                got.size(), again, owners(got.subList(0, 150)));
    }

    private static void publish(Published all, int from, int count) {
        StringBuilder body = new StringBuilder("[");
        for (int i = from; i < from + count; i++) {
            body.append(i == from ? "" : ",").append("{\"key\":\"k").append(i % 20).append("\",\"payload\":{\"seq\":").append(i)
                    .append("}}");
        }
        Api.Response r = api.postJson("/api/v1/vhosts/default/topics/key-shared/messages", body.append(']').toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static void awaitDistinct(List<Seen> seen, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int distinct = 0;
        while (System.nanoTime() < deadline) {
            synchronized (seen) {
                distinct = (int) seen.stream().mapToInt(Seen::seq).distinct().count();
            }
            if (distinct >= n) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(distinct + " of " + n + " messages delivered");
    }

    private static Map<String, Set<String>> owners(List<Seen> seen) {
        Map<String, Set<String>> out = new HashMap<>();
        synchronized (seen) {
            for (Seen s : seen) {
                out.computeIfAbsent(s.key(), k -> new HashSet<>()).add(s.consumer());
            }
        }
        return out;
    }
}
