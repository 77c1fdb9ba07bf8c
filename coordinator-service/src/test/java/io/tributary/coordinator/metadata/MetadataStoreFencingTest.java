package io.tributary.coordinator.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.launcher.TestRedis;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.metadata.PartitionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Metadata writes are fenced by the controller lease and epoch (against a real Redis): a
 * controller whose lease was taken, or whose epoch moved on, writes nothing at all.
 */
class MetadataStoreFencingTest {
    static LettuceConnectionFactory factory;
    static StringRedisTemplate redis;
    final RedisKeys keys = new RedisKeys(TestRedis.uniquePrefix());
    final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void connect() {
        URI uri = URI.create(TestRedis.shared().url());
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()));
        factory.afterPropertiesSet();
        factory.start();
        redis = new StringRedisTemplate(factory);
    }

    @AfterAll
    static void disconnect() {
        factory.destroy();
    }

    /** Makes {@code id} the holder of the lease in term {@code epoch}, as ControllerLeaseKeeper would. */
    MetadataStore activeAs(String id, long epoch) {
        redis.opsForValue().set(keys.controllerLease(), id);
        redis.opsForValue().set(keys.controllerEpoch(), Long.toString(epoch));
        MetadataStore store = new MetadataStore(redis, keys, json);
        store.load(id, epoch);
        return store;
    }

    TopicInfo topic(String name) {
        return new TopicInfo("default", name, "id-" + name, 1, 1, 60_000L, -1L, "replicated", 1L,
                List.of(new PartitionInfo(0, "storage-1", List.of("storage-1"), List.of("storage-1"), 1)), 1, false);
    }

    @Test
    void theActiveControllerWritesAndEachWriteBumpsTheVersion() {
        MetadataStore store = activeAs("coordinator-1", 7);
        long before = store.current().version();
        long after = store.putTopic(topic("a"));
        assertThat(after).isEqualTo(before + 1);
        assertThat(redis.opsForHash().hasKey(keys.topics(), "default/a")).isTrue();
        assertThat(store.current().controllerEpoch()).isEqualTo(7);
    }

    @Test
    void aDeposedControllerWritesNothing() {
        MetadataStore old = activeAs("coordinator-1", 7);
        MetadataStore successor = activeAs("coordinator-2", 8);
        String version = redis.opsForValue().get(keys.metadataVersion());

        assertThatThrownBy(() -> old.putTopic(topic("late")))
                .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.type()).isEqualTo(ProblemType.UNAVAILABLE));
        assertThatThrownBy(() -> old.putVhost("late-vhost")).isInstanceOf(TributaryException.class);
        assertThatThrownBy(() -> old.deleteTopic("default", "a")).isInstanceOf(TributaryException.class);

        assertThat(redis.opsForHash().hasKey(keys.topics(), "default/late")).isFalse();
        assertThat(redis.opsForSet().isMember(keys.vhosts(), "late-vhost")).isFalse();
        assertThat(redis.opsForValue().get(keys.metadataVersion())).isEqualTo(version);
        assertThat(old.topic("default", "late")).as("nothing applied locally either").isNull();
        assertThat(successor.putTopic(topic("b"))).isGreaterThan(Long.parseLong(version));
    }

    @Test
    void theSameIdInANewerTermFencesTheOlderTerm() {
        MetadataStore old = activeAs("coordinator-1", 3);
        activeAs("coordinator-1", 4);
        assertThatThrownBy(() -> old.putTopic(topic("stale"))).isInstanceOf(TributaryException.class);
        assertThat(redis.opsForHash().hasKey(keys.topics(), "default/stale")).isFalse();
    }

    @Test
    void severalTopicsAreOneWrite() {
        MetadataStore store = activeAs("coordinator-1", 9);
        long before = store.current().version();
        assertThat(store.putTopics(List.of(topic("x"), topic("y")))).isEqualTo(before + 1);
        assertThat(redis.opsForHash().multiGet(keys.topics(), List.of("default/x", "default/y"))).doesNotContainNull();
    }
}
