package io.tributary.gateway.limit;

import io.tributary.protocol.lease.RedisKeys;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Vhost limits in Redis (hash {@code vhost-limits}: vhost to
 * {@code {"publishRequestsPerSecond":n,"publishBytesPerSecond":n}}, absent fields unlimited),
 * read through a one-second cache: a publish costs no extra Redis round trip to learn them,
 * and a change reaches every gateway within a second.
 */
@Component
public class VhostLimitStore {
    private static final long TTL_NANOS = 1_000_000_000L;
    private final ReactiveStringRedisTemplate redis;
    private final RedisKeys keys;
    private final JsonMapper json;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public VhostLimitStore(ReactiveStringRedisTemplate redis, RedisKeys keys, JsonMapper json) {
        this.redis = redis;
        this.keys = keys;
        this.json = json;
    }

    public Mono<VhostLimits> limits(String vhost) {
        Cached c = cache.get(vhost);
        long now = System.nanoTime();
        if (c != null && now - c.at() < TTL_NANOS) {
            return Mono.just(c.limits());
        }
        return redis.<String, String>opsForHash().get(keys.vhostLimits(), vhost).map(this::parse).defaultIfEmpty(VhostLimits.NONE)
                .doOnNext(l -> {
                    if (cache.size() > 10_000) {
                        cache.clear();
                    }
                    cache.put(vhost, new Cached(l, now));
                });
    }

    public Mono<Void> put(String vhost, VhostLimits limits) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("publishRequestsPerSecond", limits.publishRequestsPerSecond());
        doc.put("publishBytesPerSecond", limits.publishBytesPerSecond());
        return redis.opsForHash().put(keys.vhostLimits(), vhost, json.writeValueAsString(doc)).doOnTerminate(() -> cache.remove(vhost))
                .then();
    }

    public Mono<Boolean> delete(String vhost) {
        return redis.opsForHash().remove(keys.vhostLimits(), vhost).doOnTerminate(() -> cache.remove(vhost)).map(n -> n > 0);
    }

    private VhostLimits parse(String value) {
        JsonNode n = json.readTree(value);
        return new VhostLimits(longOrNull(n.get("publishRequestsPerSecond")), longOrNull(n.get("publishBytesPerSecond")));
    }

    private static Long longOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asLong();
    }

    private record Cached(VhostLimits limits, long at) {
    }
}
