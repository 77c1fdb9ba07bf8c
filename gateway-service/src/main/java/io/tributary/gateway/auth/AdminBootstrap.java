package io.tributary.gateway.auth;

import io.tributary.protocol.lease.RedisKeys;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The cluster's first user. {@code tributary.security.admin-key} ({@code TRIBUTARY_ADMIN_KEY})
 * is an API key the launcher generated on the first {@code up} (and wrote to
 * {@code .tributary/admin.key}), or one compose and Kubernetes take from a secret. The first
 * gateway to start with it creates the user {@code admin} (tag administrator, every right in
 * vhost {@code default}) holding that key, once per cluster: a marker in Redis
 * ({@code admin-bootstrap}) keeps a later start from bringing back a key or a user an
 * administrator has since revoked or deleted. Runs before the gateway reports ready.
 */
@Component
public class AdminBootstrap implements ApplicationRunner {
    public static final String ADMIN = "admin";
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    private final SecurityProperties props;
    private final UserStore users;
    private final ReactiveStringRedisTemplate redis;
    private final RedisKeys keys;

    public AdminBootstrap(SecurityProperties props, UserStore users, ReactiveStringRedisTemplate redis, RedisKeys keys) {
        this.props = props;
        this.users = users;
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (props.adminKey() == null || props.adminKey().isBlank()) {
            log.info("No tributary.security.admin-key: no user is created (create users with an existing administrator's key)");
            return;
        }
        ApiKey key = ApiKey.parse(props.adminKey().strip());
        if (key == null) {
            throw new IllegalStateException("tributary.security.admin-key is not an API key of the form trb_<16 hex>_<43 base64url>");
        }
        Boolean first = redis.opsForValue().setIfAbsent(keys.prefix() + "admin-bootstrap", key.id())
                .flatMap(won -> won ? create(key).thenReturn(true) : Mono.just(false))
                .retryWhen(Retry.backoff(10, Duration.ofMillis(200)))
                .block(Duration.ofSeconds(30));
        log.info(Boolean.TRUE.equals(first) ? "Created the user 'admin' with API key {}" : "The user 'admin' was created before (key {})",
                key.id());
    }

    private Mono<Void> create(ApiKey key) {
        return users.putUser(ADMIN, List.of(Caller.ADMINISTRATOR))
                .then(users.storeKey(ADMIN, key))
                .then(users.putPermission("default", ADMIN, Permission.all()));
    }
}
