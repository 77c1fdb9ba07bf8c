package io.tributary.protocol.lease;

import java.time.Duration;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A lease in Redis: {@code SET key value PX ttl} taken only if the key is free or already
 * ours, renewed by a compare-and-extend script, released by compare-and-delete. "Ours" means
 * the stored value equals {@code value}, so a holder that restarts with the same identity
 * takes its lease back at once instead of waiting for it to expire.
 *
 * <p>The lease gives liveness, not safety: Redis expires keys on its own clock and can lose
 * its last writes on failover. {@link #validUntilNanos()} lets the holder stop acting before
 * the lease can have lapsed in Redis (self-fencing, with {@code clockMargin} for drift);
 * safety comes from epochs checked by the data plane.
 *
 * <p>Calls block on Redis: use from a scheduler thread, never an event loop.
 */
public class RedisLease {
    private static final RedisScript<Long> ACQUIRE = RedisScript.of("""
            local current = redis.call('GET', KEYS[1])
            if current == false or current == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              if current == false then return 2 end
              return 1
            end
            return 0
            """, Long.class);
    private static final RedisScript<Long> RENEW = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """, Long.class);
    private static final RedisScript<Long> RELEASE = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """, Long.class);

    /** What {@link #acquire()} found. */
    public enum Outcome {
        /** Someone else holds it. */
        HELD_ELSEWHERE,
        /** It was ours already (we restarted, or renewed). */
        REACQUIRED,
        /** It was free: a new term starts. */
        ACQUIRED
    }

    private final StringRedisTemplate redis;
    private final String key;
    private final String value;
    private final Duration ttl;
    private final Duration clockMargin;
    private volatile long validUntilNanos;

    public RedisLease(StringRedisTemplate redis, String key, String value, Duration ttl, Duration clockMargin) {
        this.redis = redis;
        this.key = key;
        this.value = value;
        this.ttl = ttl;
        this.clockMargin = clockMargin;
    }

    public Outcome acquire() {
        long start = System.nanoTime();
        Long r = redis.execute(ACQUIRE, List.of(key), value, Long.toString(ttl.toMillis()));
        Outcome outcome = r == null ? Outcome.HELD_ELSEWHERE : switch (r.intValue()) {
            case 2 -> Outcome.ACQUIRED;
            case 1 -> Outcome.REACQUIRED;
            default -> Outcome.HELD_ELSEWHERE;
        };
        if (outcome != Outcome.HELD_ELSEWHERE) {
            validUntilNanos = start + ttl.minus(clockMargin).toNanos();
        }
        return outcome;
    }

    /** Extends the lease if it is still ours; false if it lapsed or was taken. */
    public boolean renew() {
        long start = System.nanoTime();
        Long r = redis.execute(RENEW, List.of(key), value, Long.toString(ttl.toMillis()));
        boolean ok = r != null && r == 1L;
        if (ok) {
            validUntilNanos = start + ttl.minus(clockMargin).toNanos();
        }
        return ok;
    }

    public void release() {
        validUntilNanos = 0;
        redis.execute(RELEASE, List.of(key), value);
    }

    /**
     * Until when (System.nanoTime) the holder may act on this lease: measured from the moment
     * before the last successful acquire or renew was sent, less the clock margin.
     */
    public long validUntilNanos() {
        return validUntilNanos;
    }

    public boolean isValid() {
        return System.nanoTime() - validUntilNanos < 0;
    }

    public String key() {
        return key;
    }
}
