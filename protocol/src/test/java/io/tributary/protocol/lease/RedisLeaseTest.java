package io.tributary.protocol.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.TestRedis;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Leases against a real Redis (REDIS_URL, Testcontainers or the embedded server). */
class RedisLeaseTest {
    static LettuceConnectionFactory factory;
    static StringRedisTemplate redis;
    final String key = TestRedis.uniquePrefix() + "lease";

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

    RedisLease lease(String holder, long ttlMs) {
        return new RedisLease(redis, key, holder, Duration.ofMillis(ttlMs), Duration.ofMillis(50));
    }

    @Test
    void onlyOneHolderAtATime() {
        RedisLease a = lease("a", 5_000);
        RedisLease b = lease("b", 5_000);
        assertThat(a.acquire()).isEqualTo(RedisLease.Outcome.ACQUIRED);
        assertThat(a.isValid()).isTrue();
        assertThat(b.acquire()).isEqualTo(RedisLease.Outcome.HELD_ELSEWHERE);
        assertThat(b.isValid()).isFalse();
        assertThat(b.renew()).isFalse();
        assertThat(a.renew()).isTrue();
    }

    @Test
    void theSameHolderTakesItsLeaseBackAtOnce() {
        assertThat(lease("a", 5_000).acquire()).isEqualTo(RedisLease.Outcome.ACQUIRED);
        assertThat(lease("a", 5_000).acquire()).isEqualTo(RedisLease.Outcome.REACQUIRED);
    }

    @Test
    void aLapsedLeaseGoesToTheNextHolderAndTheOldOneCannotRenew() throws InterruptedException {
        RedisLease a = lease("a", 200);
        RedisLease b = lease("b", 5_000);
        a.acquire();
        Thread.sleep(400);
        assertThat(a.isValid()).as("self-fenced before the lease could lapse").isFalse();
        assertThat(b.acquire()).isEqualTo(RedisLease.Outcome.ACQUIRED);
        assertThat(a.renew()).isFalse();
    }

    @Test
    void releaseOnlyDeletesOurOwnLease() {
        RedisLease a = lease("a", 5_000);
        RedisLease b = lease("b", 5_000);
        a.acquire();
        b.release();
        assertThat(redis.opsForValue().get(key)).isEqualTo("a");
        a.release();
        assertThat(redis.opsForValue().get(key)).isNull();
        assertThat(b.acquire()).isEqualTo(RedisLease.Outcome.ACQUIRED);
    }
}
