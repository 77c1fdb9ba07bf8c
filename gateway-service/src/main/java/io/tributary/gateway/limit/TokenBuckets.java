package io.tributary.gateway.limit;

import io.tributary.protocol.lease.RedisKeys;
import java.util.List;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * A vhost's two token buckets (requests, bytes) in one Redis hash, refilled and taken from by
 * one Lua script, so that every gateway draws on the same budget and a request either takes
 * from both or from neither. The clock is Redis's own ({@code TIME}): gateways with skewed
 * clocks cannot refill a bucket twice. Each bucket holds at most one second of its rate.
 *
 * <p>The script returns 0 when the request was admitted, else the microseconds until
 * enough tokens will be there (the 429's Retry-After). A bucket with rate 0 is not limited.
 * {@link #charge} debits bytes learned after the fact (a chunked body, whose length was
 * not declared): the bucket may go below zero, and later requests wait for it to refill.
 */
@Component
public class TokenBuckets {
    private static final RedisScript<Long> TAKE = RedisScript.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local rates = {tonumber(ARGV[1]), tonumber(ARGV[2])}
            local costs = {tonumber(ARGV[3]), tonumber(ARGV[4])}
            local force = ARGV[5] == '1'
            local names = {'requests', 'bytes'}
            local at = tonumber(redis.call('HGET', KEYS[1], 'at') or now)
            local elapsed = math.max(0, now - at)
            local tokens = {}
            local wait = 0
            for i = 1, 2 do
              if rates[i] > 0 then
                local have = tonumber(redis.call('HGET', KEYS[1], names[i]) or rates[i])
                have = math.min(rates[i], have + elapsed * rates[i] / 1000000)
                tokens[i] = have
                if not force and have < costs[i] and have < rates[i] then
                  wait = math.max(wait, math.ceil((math.min(costs[i], rates[i]) - have) * 1000000 / rates[i]))
                end
              end
            end
            for i = 1, 2 do
              if rates[i] > 0 then
                local left = tokens[i]
                if wait == 0 then left = left - costs[i] end
                redis.call('HSET', KEYS[1], names[i], tostring(left))
              end
            end
            redis.call('HSET', KEYS[1], 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], 60000)
            return wait
            """, Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final RedisKeys keys;

    public TokenBuckets(ReactiveStringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Microseconds to wait before this request could be admitted, or 0: admitted, tokens taken. */
    public Mono<Long> take(String vhost, VhostLimits limits, long bytes) {
        return run(vhost, limits, 1, bytes, false);
    }

    /** Debits {@code bytes} already let in. */
    public Mono<Long> charge(String vhost, VhostLimits limits, long bytes) {
        return run(vhost, limits, 0, bytes, true);
    }

    private Mono<Long> run(String vhost, VhostLimits limits, long requests, long bytes, boolean force) {
        return redis.execute(TAKE, List.of(keys.rateBuckets(vhost)), List.of(rate(limits.publishRequestsPerSecond()),
                rate(limits.publishBytesPerSecond()), Long.toString(requests), Long.toString(bytes), force ? "1" : "0")).next();
    }

    private static String rate(Long perSecond) {
        return perSecond == null ? "0" : Long.toString(perSecond);
    }
}
