package io.tributary.routing.exchange;

import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.admin.ExchangeInfo;
import io.tributary.protocol.lease.RedisKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Exchanges and bindings in Redis (Spring Data Redis, Lettuce): two hashes, a version counter
 * and a change channel (see {@link RedisKeys}). Every change is one Lua script that checks,
 * writes, bumps the version and publishes it, so concurrent routing instances cannot
 * interleave a check and a write. Blocking: call off the event loop.
 */
@Component
public class ExchangeStore {
    /** Sets a field if absent; returns {1, value} when it set it, {0, existing} when it was there. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> PUT_IF_ABSENT = RedisScript.of("""
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if current then
              return {0, current}
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            local v = redis.call('INCR', KEYS[2])
            redis.call('PUBLISH', KEYS[3], v)
            return {1, ARGV[2]}
            """, List.class);
    /** Removes ARGV[1] exchange fields (ARGV[2..]) and the binding fields after them; bumps the version if anything went. */
    private static final RedisScript<Long> REMOVE = RedisScript.of("""
            local exchanges = tonumber(ARGV[1])
            local removed = 0
            for i = 2, exchanges + 1 do
              removed = removed + redis.call('HDEL', KEYS[1], ARGV[i])
            end
            for i = exchanges + 2, #ARGV do
              removed = removed + redis.call('HDEL', KEYS[2], ARGV[i])
            end
            if removed > 0 then
              local v = redis.call('INCR', KEYS[3])
              redis.call('PUBLISH', KEYS[4], v)
            end
            return removed
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final JsonMapper json;

    public ExchangeStore(StringRedisTemplate redis, RedisKeys keys, JsonMapper json) {
        this.redis = redis;
        this.keys = keys;
        this.json = json;
    }

    /** The outcome of a put-if-absent: what is stored now, and whether this call stored it. */
    public record Put<T>(T stored, boolean created) {
    }

    public Put<ExchangeInfo> putExchange(ExchangeInfo e) {
        return putIfAbsent(keys.exchanges(), e.key(), json.writeValueAsString(e), ExchangeInfo.class);
    }

    public Put<BindingInfo> putBinding(BindingInfo b) {
        return putIfAbsent(keys.bindings(), bindingField(b), json.writeValueAsString(b), BindingInfo.class);
    }

    @SuppressWarnings("unchecked")
    private <T> Put<T> putIfAbsent(String hash, String field, String value, Class<T> type) {
        List<Object> r = redis.execute(PUT_IF_ABSENT, List.of(hash, keys.routingVersion(), keys.routingChanges()), field, value);
        boolean created = Long.valueOf(1).equals(r.get(0));
        return new Put<>(json.readValue(String.valueOf(r.get(1)), type), created);
    }

    /** Removes an exchange together with the given bindings (its own, and those pointing at it). */
    public boolean removeExchange(ExchangeInfo e, List<BindingInfo> bindings) {
        List<String> args = new ArrayList<>();
        args.add("1");
        args.add(e.key());
        bindings.forEach(b -> args.add(bindingField(b)));
        Long removed = redis.execute(REMOVE, removeKeys(), args.toArray());
        return removed != null && removed > 0;
    }

    public boolean removeBinding(BindingInfo b) {
        Long removed = redis.execute(REMOVE, removeKeys(), "0", bindingField(b));
        return removed != null && removed > 0;
    }

    private List<String> removeKeys() {
        return List.of(keys.exchanges(), keys.bindings(), keys.routingVersion(), keys.routingChanges());
    }

    public long version() {
        String v = redis.opsForValue().get(keys.routingVersion());
        return v == null ? 0 : Long.parseLong(v);
    }

    /** Reads everything; the version is read first, so the data is at least that new. */
    public RoutingTable load() {
        long version = version();
        Map<Object, Object> exchanges = redis.opsForHash().entries(keys.exchanges());
        Map<Object, Object> bindings = redis.opsForHash().entries(keys.bindings());
        List<ExchangeInfo> ex = exchanges.values().stream().map(v -> json.readValue(String.valueOf(v), ExchangeInfo.class)).toList();
        List<BindingInfo> bs = bindings.values().stream().map(v -> json.readValue(String.valueOf(v), BindingInfo.class)).toList();
        return RoutingTable.compile(version, ex, bs);
    }

    private static String bindingField(BindingInfo b) {
        return b.vhost() + "/" + b.source() + "/" + b.id();
    }
}
