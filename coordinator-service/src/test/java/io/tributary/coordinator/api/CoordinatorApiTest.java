package io.tributary.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.TestRedis;
import io.tributary.protocol.cluster.ClusterToken;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.metadata.ClusterMetadata;
import io.tributary.protocol.metadata.GroupMembers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

/** The coordinator against a real Redis: node registry, topics, subscriptions, groups, metadata stream. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CoordinatorApiTest {
    static final String PREFIX = TestRedis.uniquePrefix();
    static final String TOKEN = "test-token";

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry r) {
        r.add("spring.data.redis.url", () -> TestRedis.shared().url());
        r.add("tributary.redis.key-prefix", () -> PREFIX);
        r.add("tributary.cluster.token", () -> TOKEN);
        r.add("tributary.coordinator.lease-ttl", () -> "3s");
        r.add("tributary.coordinator.node-poll-interval", () -> "100ms");
    }

    @LocalServerPort
    int port;
    @Autowired
    StringRedisTemplate redis;

    WebTestClient client;

    @BeforeEach
    void setUp() {
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .defaultHeader(ClusterToken.HEADER, TOKEN).responseTimeout(Duration.ofSeconds(30)).build();
        RedisKeys keys = new RedisKeys(PREFIX);
        for (String node : List.of("storage-1", "storage-2")) {
            redis.opsForSet().add(keys.nodes(), node);
            redis.opsForValue().set(keys.nodeLease(node), "{\"id\":\"" + node + "\",\"url\":\"http://x:1\"}", Duration.ofMinutes(5));
        }
        awaitNodes(2);
    }

    void awaitNodes(int count) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            ClusterMetadata m = metadata();
            if (m != null && m.nodes().size() == count) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("node registry never saw " + count + " nodes");
    }

    ClusterMetadata metadata() {
        return client.get().uri("/internal/metadata").exchange().returnResult(ClusterMetadata.class).getResponseBody().blockFirst();
    }

    @Autowired
    Offload offload;

    /**
     * A caller that goes away while its Redis call runs must not interrupt the call: an
     * interrupted blocking Lettuce call throws RedisCommandInterruptedException (which was a
     * 500 on a heartbeat) and can leave the shared connection broken for everyone else.
     */
    @Test
    void aCancelledCallerNeverInterruptsARedisCallInFlight() throws Exception {
        String key = PREFIX + "cancel-test";
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CompletableFuture<String> finished = new java.util.concurrent.CompletableFuture<>();
        reactor.core.Disposable caller = offload.call(() -> {
            started.countDown();
            try {
                // BLPOP blocks in Redis for a second: the caller is gone long before it returns.
                var popped = redis.opsForList().leftPop(key, Duration.ofSeconds(1));
                finished.complete(String.valueOf(popped));
                return popped;
            } catch (RuntimeException e) {
                failure.set(e);
                finished.complete("failed");
                throw e;
            }
        }).subscribe(x -> { }, e -> { });
        assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        caller.dispose();
        assertThat(finished.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("null");
        assertThat(failure.get()).as("the Redis call ran to its end").isNull();
        // and the connection still serves everyone
        redis.opsForValue().set(key + ":after", "ok");
        assertThat(redis.opsForValue().get(key + ":after")).isEqualTo("ok");
    }

    @Test
    void internalEndpointsNeedTheClusterToken() {
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build()
                .get().uri("/internal/metadata").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("unauthorized");
    }

    @Test
    void createsATopicOnLiveNodesIdempotentlyAndRefusesConflicts() {
        client.put().uri("/internal/vhosts/default/topics/orders").bodyValue(Map.of("partitions", 4))
                .exchange().expectStatus().isCreated()
                .expectHeader().exists(MetadataVersionHeader.NAME)
                .expectBody()
                .jsonPath("$.partitions").isEqualTo(4)
                .jsonPath("$.assignments.length()").isEqualTo(4)
                .jsonPath("$.assignments[0].leader").value(l -> assertThat(l).isIn("storage-1", "storage-2"));
        client.put().uri("/internal/vhosts/default/topics/orders").bodyValue(Map.of("partitions", 4))
                .exchange().expectStatus().isOk();
        client.put().uri("/internal/vhosts/default/topics/orders").bodyValue(Map.of("partitions", 5))
                .exchange().expectStatus().isEqualTo(409).expectBody().jsonPath("$.type").isEqualTo("conflict");
        assertThat(metadata().topics()).anyMatch(t -> t.name().equals("orders") && t.partitions() == 4);
    }

    @Test
    void rejectsBadTopicsWithProblems() {
        client.put().uri("/internal/vhosts/nope/topics/t").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("not-found");
        client.put().uri("/internal/vhosts/default/topics/bad:name").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("invalid-name");
        client.put().uri("/internal/vhosts/default/topics/t0").bodyValue(Map.of("partitions", 0)).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.type").isEqualTo("invalid-argument");
        client.put().uri("/internal/vhosts/default/topics/t3").bodyValue(Map.of("replicationFactor", 3)).exchange()
                .expectStatus().isBadRequest();
        client.delete().uri("/internal/vhosts/default/topics/never").exchange().expectStatus().isNotFound();
    }

    @Test
    void metadataLongPollAnswersWhenTheVersionMoves() {
        long before = metadata().version();
        // WebTestClient waits for the response inside exchange(); a long poll needs a client that does not.
        var pending = WebClient.create("http://127.0.0.1:" + port).get()
                .uri("/internal/metadata?after=" + before + "&waitMs=20000")
                .header(ClusterToken.HEADER, TOKEN)
                .retrieve().bodyToMono(ClusterMetadata.class).toFuture();
        sleep(300);
        assertThat(pending).isNotDone();
        client.put().uri("/internal/vhosts/tenant-a").exchange().expectStatus().isCreated();
        ClusterMetadata after = pending.join();
        assertThat(after.version()).isGreaterThan(before);
        assertThat(after.vhosts()).contains("default", "tenant-a");
    }

    @Test
    void groupMembersSplitThePartitionsAndRebalanceOnLeave() {
        client.put().uri("/internal/vhosts/default/topics/g").bodyValue(Map.of("partitions", 5)).exchange().expectStatus().is2xxSuccessful();
        client.put().uri("/internal/vhosts/default/topics/g/subscriptions/s").bodyValue(Map.of("type", "group"))
                .exchange().expectStatus().is2xxSuccessful();
        String base = "/internal/vhosts/default/topics/g/subscriptions/s/members/";
        Map<?, ?> a1 = client.post().uri(base + "a").exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        Map<?, ?> b1 = client.post().uri(base + "b").exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        Map<?, ?> a2 = client.post().uri(base + "a").exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        assertThat(a1.get("partitions")).isEqualTo(List.of(0, 1, 2, 3, 4));
        assertThat(b1.get("partitions")).isEqualTo(List.of(1, 3));
        assertThat(a2.get("partitions")).isEqualTo(List.of(0, 2, 4));
        assertThat(((Number) b1.get("generation")).longValue()).isGreaterThan(((Number) a1.get("generation")).longValue());
        client.delete().uri(base + "b").exchange().expectStatus().isNoContent();
        Map<?, ?> a3 = client.post().uri(base + "a").exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        assertThat(a3.get("partitions")).isEqualTo(List.of(0, 1, 2, 3, 4));
        client.post().uri("/internal/vhosts/default/topics/g/subscriptions/missing/members/a").exchange().expectStatus().isNotFound();
    }

    @Test
    void theGroupIsRebalancingUntilEveryMemberReportsActingOnTheCurrentGeneration() {
        client.put().uri("/internal/vhosts/default/topics/r").bodyValue(Map.of("partitions", 2)).exchange().expectStatus().is2xxSuccessful();
        client.put().uri("/internal/vhosts/default/topics/r/subscriptions/s").bodyValue(Map.of("type", "group"))
                .exchange().expectStatus().is2xxSuccessful();
        String base = "/internal/vhosts/default/topics/r/subscriptions/s/members";
        long joinedA = generation(client.post().uri(base + "/a").exchange().expectStatus().isOk().expectBody(Map.class)
                .returnResult().getResponseBody());
        long joinedB = generation(client.post().uri(base + "/b?applied=-1").exchange().expectStatus().isOk().expectBody(Map.class)
                .returnResult().getResponseBody());
        assertThat(joinedB).isGreaterThan(joinedA);
        GroupMembers both = members(base);
        assertThat(both.generation()).isEqualTo(joinedB);
        assertThat(both.members()).extracting(GroupMembers.Member::id, GroupMembers.Member::appliedGeneration)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", -1L), org.assertj.core.groups.Tuple.tuple("b", -1L));
        assertThat(both.members().get(0).joinedAt()).as("join times in joining order")
                .isLessThanOrEqualTo(both.members().get(1).joinedAt()).isPositive();
        assertThat(both.active()).as("the first to join is the single active consumer").isEqualTo("a");
        assertThat(members(base).rebalancing()).isTrue();

        client.post().uri(base + "/a?applied=" + joinedA).exchange().expectStatus().isOk();
        client.post().uri(base + "/b?applied=" + joinedB).exchange().expectStatus().isOk();
        assertThat(members(base).rebalancing()).as("a still acts on the one-member assignment").isTrue();
        client.post().uri(base + "/a?applied=" + joinedB).exchange().expectStatus().isOk();
        GroupMembers settled = members(base);
        assertThat(settled.generation()).isEqualTo(joinedB);
        assertThat(settled.rebalancing()).isFalse();

        client.delete().uri(base + "/b").exchange().expectStatus().isNoContent();
        GroupMembers afterLeave = members(base);
        assertThat(afterLeave.ids()).containsExactly("a");
        assertThat(afterLeave.generation()).isGreaterThan(joinedB);
        assertThat(afterLeave.rebalancing()).isTrue();
        client.post().uri(base + "/a?applied=banana").exchange().expectStatus().isBadRequest();
    }

    private GroupMembers members(String base) {
        return client.get().uri(base).exchange().expectStatus().isOk().expectBody(GroupMembers.class).returnResult().getResponseBody();
    }

    private static long generation(Map<?, ?> state) {
        return ((Number) state.get("generation")).longValue();
    }

    @Test
    void aNodeWhoseLeaseLapsesLeavesTheMetadata() {
        RedisKeys keys = new RedisKeys(PREFIX);
        redis.opsForSet().add(keys.nodes(), "storage-9");
        redis.opsForValue().set(keys.nodeLease("storage-9"), "{\"id\":\"storage-9\",\"url\":\"http://x:9\"}", Duration.ofMillis(800));
        awaitNodes(3);
        awaitNodes(2);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
