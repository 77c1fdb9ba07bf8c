package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The ack state of a shared subscription lives on the partition leader and is replicated with
 * it: kill -9 the leader while messages are acked and held, and on the new leader nothing
 * that was acked comes again and nothing unacked is lost (what the dead consumer held comes
 * back after its ack timeout).
 */
class SharedFailoverClusterTest {
    static TestCluster cluster;
    static Api api;
    static Replicas replicas;

    @BeforeAll
    static void start() {
        cluster = TestCluster.get();
        api = cluster.api();
        replicas = new Replicas(cluster);
    }

    static String sub(String topic) {
        return Replicas.V + "/topics/" + topic + "/subscriptions/jobs";
    }

    static List<JsonNode> poll(String topic, int max, long waitMs) {
        Api.Response r = api.post(sub(topic) + "/poll?max=" + max + "&waitMs=" + waitMs, "application/json", new byte[0]);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.json().get("messages").forEach(out::add);
        return out;
    }

    /** Acks {@code ids}, retrying while the partition has no leader; true once an ack was confirmed. */
    static boolean ack(List<String> ids, Duration within) {
        String body = "{\"ids\":" + ids.stream().map(i -> "\"" + i + "\"").toList() + "}";
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Api.Response r = api.postJson(sub(topic) + "/ack", body);
            if (r.status() == 200) {
                return true;
            }
            assertThat(r.status()).as(r.body()).isIn(502, 503, 504);
            Replicas.sleep(100);
        }
        return false;
    }

    static String topic;

    @Test
    void killingTheLeaderLosesNoAckAndNoUnackedMessage() throws Exception {
        topic = "shared-failover";
        replicas.createTopic(topic, 1);
        Api.Response declared = api.put(sub(topic), "{\"type\":\"shared\",\"startAt\":\"earliest\",\"ackTimeoutMs\":3000}");
        assertThat(declared.status()).as(declared.body()).isEqualTo(201);
        Published published = Published.batch(api, topic, 200, 20);
        Set<String> all = new HashSet<>();
        published.messages.forEach(m -> all.add(m.id()));

        Set<String> acked = new HashSet<>();
        for (int round = 0; round < 2; round++) {
            List<String> ids = poll(topic, 50, 5000).stream().map(m -> m.get("id").asString()).toList();
            assertThat(ids).hasSize(50);
            assertThat(ack(ids, Duration.ofSeconds(10))).isTrue();
            acked.addAll(ids);
        }
        Set<String> held = new HashSet<>();
        poll(topic, 20, 5000).forEach(m -> held.add(m.get("id").asString()));
        assertThat(held).hasSize(20).doesNotContainAnyElementsOf(acked);

        String leader = replicas.leader(topic, 0);
        cluster.launcher().kill(leader);
        try {
            replicas.awaitNewLeader(topic, 0, leader, Duration.ofSeconds(30));
            Set<String> after = new HashSet<>();
            List<String> ackedAgain = new ArrayList<>();
            Set<String> heldAgain = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (acked.size() < all.size() && System.nanoTime() < deadline) {
                for (JsonNode m : poll(topic, 50, 2000)) {
                    String id = m.get("id").asString();
                    if (acked.contains(id)) {
                        ackedAgain.add(id);
                    }
                    if (held.contains(id)) {
                        heldAgain.add(id);
                        assertThat(m.get("deliveryCount").asInt()).as("%s was delivered before the kill", id).isGreaterThanOrEqualTo(2);
                    }
                    after.add(id);
                }
                List<String> fresh = after.stream().filter(id -> !acked.contains(id)).toList();
                if (!fresh.isEmpty() && ack(fresh, Duration.ofSeconds(30))) {
                    acked.addAll(fresh);
                }
            }
            System.out.printf("shared failover: %d acked before the kill, %d held; after it %d delivered, %d of them acked before%n",
                    100, held.size(), after.size(), ackedAgain.size());
            assertThat(ackedAgain).as("nothing acknowledged before the kill came again").isEmpty();
            assertThat(heldAgain).as("what the consumer held unacked came back").isEqualTo(held);
            assertThat(acked).as("every message was delivered and acked in the end").isEqualTo(all);
        } finally {
            replicas.restart(leader);
        }
        replicas.awaitConverged(topic, 0, Duration.ofSeconds(60));
    }
}
