package io.tributary.routing.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.TestRedis;
import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.admin.ExchangeInfo;
import io.tributary.protocol.lease.RedisKeys;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Exchanges and bindings in a real Redis, and two routing instances' caches seeing each other's changes. */
class ExchangeStoreTest {
    static LettuceConnectionFactory factory;
    static StringRedisTemplate redis;
    final RedisKeys keys = new RedisKeys(TestRedis.uniquePrefix());
    final ExchangeStore store = new ExchangeStore(redis, keys, JsonMapper.builder().build());

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

    @Test
    void declaringTwiceKeepsTheFirstAndBumpsTheVersionOnce() {
        long v0 = store.version();
        ExchangeStore.Put<ExchangeInfo> first = store.putExchange(new ExchangeInfo("v", "x", "topic", null, 1));
        ExchangeStore.Put<ExchangeInfo> second = store.putExchange(new ExchangeInfo("v", "x", "direct", null, 2));
        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.stored().type()).isEqualTo("topic");
        assertThat(store.version()).isEqualTo(v0 + 1);
    }

    @Test
    void removingAnExchangeTakesItsBindingsAlong() {
        store.putExchange(new ExchangeInfo("v", "x", "direct", null, 1));
        BindingInfo b = new BindingInfo("b-1", "v", "x", "t", BindingInfo.TOPIC, "k", null);
        store.putBinding(b);
        RoutingTable t = store.load();
        assertThat(t.exchange("v", "x").orElseThrow().bindings()).containsExactly(b);
        assertThat(store.removeExchange(t.exchange("v", "x").orElseThrow().info(), List.of(b))).isTrue();
        RoutingTable after = store.load();
        assertThat(after.exchange("v", "x")).isEmpty();
        assertThat(store.removeBinding(b)).isFalse();
    }

    @Test
    void aChangeMadeThroughOneInstanceReachesAnotherWithinASecond() throws InterruptedException {
        ExchangeStore otherStore = new ExchangeStore(redis, keys, JsonMapper.builder().build());
        RoutingTableCache other = new RoutingTableCache(otherStore, factory, keys);
        other.start();
        try {
            store.putExchange(new ExchangeInfo("v", "late", "fanout", null, 1));
            long deadline = System.currentTimeMillis() + 1000;
            while (other.current().exchange("v", "late").isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(other.current().exchange("v", "late")).isPresent();
        } finally {
            other.stop();
        }
    }
}
