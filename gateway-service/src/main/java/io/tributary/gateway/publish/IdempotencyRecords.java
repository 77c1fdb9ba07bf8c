package io.tributary.gateway.publish;

import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.HexFormat;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Which request each Idempotency-Key was first used for, shared by every gateway through
 * Redis ({@code idempotency:{vhost}:{key}} holds the request's SHA-256, expiring after the
 * dedup window): the first request with a key claims it; a retry with the same request goes
 * ahead (storage answers what it stored before, see {@link IdempotencyKey}); a different
 * request with the same key is refused with 422. The window must not outlast storage's
 * message-id window, or a late retry would be stored again.
 */
@Component
public class IdempotencyRecords {
    private final ReactiveStringRedisTemplate redis;
    private final RedisKeys keys;
    private final Duration window;

    public IdempotencyRecords(ReactiveStringRedisTemplate redis, RedisKeys keys,
            io.tributary.gateway.GatewayProperties props) {
        this.redis = redis;
        this.keys = keys;
        this.window = props.idempotencyWindow();
    }

    /** Claims {@code key} for the request with {@code fingerprint}, or confirms it was claimed for the same one. */
    public Mono<Void> claim(IdempotencyKey key, byte[] fingerprint) {
        String redisKey = keys.idempotencyKey(key.vhost(), key.value());
        String mine = HexFormat.of().formatHex(fingerprint);
        return redis.opsForValue().setIfAbsent(redisKey, mine, window)
                .flatMap(claimed -> claimed ? Mono.just(mine) : redis.opsForValue().get(redisKey).defaultIfEmpty(mine))
                .onErrorMap(e -> !(e instanceof TributaryException), e -> TributaryException.unavailable(
                        "cannot check the Idempotency-Key: Redis did not answer (" + e.getMessage() + ")", e))
                .flatMap(stored -> stored.equals(mine) ? Mono.<Void>empty() : Mono.error(new TributaryException(
                        ProblemType.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key '" + key.value() + "' was used for a different "
                        + "request within the last " + window.toMinutes() + " minutes; use a new key for a new request")));
    }
}
