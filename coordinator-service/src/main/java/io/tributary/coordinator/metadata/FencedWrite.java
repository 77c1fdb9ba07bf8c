package io.tributary.coordinator.metadata;

import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.problem.TributaryException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * One metadata write of the active controller, applied by a Lua script only if this
 * coordinator still holds the controller lease and the controller epoch in Redis is still the
 * one its term began with: a deposed controller (paused past its lease, cut off from Redis)
 * cannot write, even if it has not noticed yet. The same script bumps {@code metadata:version}
 * and returns it, so a write and its version are one atomic step.
 *
 * <p>Script arguments: KEYS = [controller lease, controller epoch, metadata version, the data
 * keys the operations name]; ARGV = [controller id, epoch, then per operation four values:
 * command (HSET, HDEL, SADD or SREM), index of its key in KEYS, field or member, value (HSET only)].
 * Returns the new version, or -1 when fenced.
 */
final class FencedWrite {
    private static final RedisScript<Long> SCRIPT = RedisScript.of("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('GET', KEYS[2]) ~= ARGV[2] then
              return -1
            end
            for i = 3, #ARGV, 4 do
              local op, key = ARGV[i], KEYS[tonumber(ARGV[i + 1])]
              if op == 'HSET' then
                redis.call('HSET', key, ARGV[i + 2], ARGV[i + 3])
              elseif op == 'HDEL' then
                redis.call('HDEL', key, ARGV[i + 2])
              elseif op == 'SADD' then
                redis.call('SADD', key, ARGV[i + 2])
              elseif op == 'SREM' then
                redis.call('SREM', key, ARGV[i + 2])
              end
            end
            return redis.call('INCR', KEYS[3])
            """, Long.class);
    private static final int FIRST_DATA_KEY = 4;

    private final List<String> keys = new ArrayList<>();
    private final List<String> args = new ArrayList<>();

    private FencedWrite(RedisKeys redisKeys, String controllerId, long epoch) {
        keys.add(redisKeys.controllerLease());
        keys.add(redisKeys.controllerEpoch());
        keys.add(redisKeys.metadataVersion());
        args.add(controllerId);
        args.add(Long.toString(epoch));
    }

    static FencedWrite by(RedisKeys redisKeys, String controllerId, long epoch) {
        return new FencedWrite(redisKeys, controllerId, epoch);
    }

    FencedWrite hset(String key, String field, String value) {
        return op("HSET", key, field, value);
    }

    FencedWrite hdel(String key, String field) {
        return op("HDEL", key, field, "");
    }

    FencedWrite sadd(String key, String member) {
        return op("SADD", key, member, "");
    }

    FencedWrite srem(String key, String member) {
        return op("SREM", key, member, "");
    }

    private FencedWrite op(String command, String key, String field, String value) {
        int index = keys.subList(FIRST_DATA_KEY - 1, keys.size()).indexOf(key);
        if (index < 0) {
            keys.add(key);
            index = keys.size();
        } else {
            index += FIRST_DATA_KEY;
        }
        args.addAll(List.of(command, Integer.toString(index), field, value));
        return this;
    }

    /** Applies the operations and returns the new metadata version; {@code unavailable} when fenced. */
    long apply(StringRedisTemplate redis) {
        Long version = redis.execute(SCRIPT, keys, args.toArray());
        if (version == null || version < 0) {
            throw TributaryException.unavailable("this coordinator is no longer the active controller (its lease or epoch "
                    + "moved on in Redis); the write was not made");
        }
        return version;
    }
}
