package io.tributary.gateway.auth;

import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.problem.TributaryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Users, their API keys and their per-vhost permissions, in Redis so that every gateway sees
 * the same ones. Three hashes (see {@link RedisKeys#users()}, {@link RedisKeys#apiKeys()},
 * {@link RedisKeys#permissions()}); values are small JSON documents:
 * <pre>
 *   users        alice          {"tags":["administrator"]}
 *   api-keys     3f2a...(id)    {"user":"alice","sha256":"9b1c...","created":1764680000000}
 *   permissions  default/alice  {"configure":".*","write":".*","read":".*"}
 * </pre>
 * Deleting a user deletes its keys and permissions; a key whose user is gone is refused anyway.
 */
@Component
public class UserStore {
    private final ReactiveStringRedisTemplate redis;
    private final RedisKeys keys;
    private final JsonMapper json;
    private final CredentialCache cache;

    public UserStore(ReactiveStringRedisTemplate redis, RedisKeys keys, JsonMapper json, CredentialCache cache) {
        this.redis = redis;
        this.keys = keys;
        this.json = json;
        this.cache = cache;
    }

    /** Creates or replaces the user's tags; true when the user is new. */
    public Mono<Boolean> putUser(String name, List<String> tags) {
        String value = json.writeValueAsString(Map.of("tags", tags));
        return cache.afterChange(() -> redis.opsForHash().hasKey(keys.users(), name)
                .flatMap(existed -> redis.opsForHash().put(keys.users(), name, value).thenReturn(!existed)));
    }

    public Mono<UserRecord> user(String name) {
        return redis.<String, String>opsForHash().get(keys.users(), name).map(v -> userOf(name, v));
    }

    public Flux<UserRecord> users() {
        return redis.<String, String>opsForHash().entries(keys.users()).map(e -> userOf(e.getKey(), e.getValue()))
                .sort(java.util.Comparator.comparing(UserRecord::name));
    }

    /** Removes the user with its keys and permissions; false when there was no such user. */
    public Mono<Boolean> deleteUser(String name) {
        return cache.afterChange(() -> redis.opsForHash().remove(keys.users(), name).flatMap(removed -> keysOf(name)
                .flatMap(k -> redis.opsForHash().remove(keys.apiKeys(), k.id()))
                .thenMany(permissionFields().filter(f -> f.endsWith("/" + name))
                        .flatMap(f -> redis.opsForHash().remove(keys.permissions(), f)))
                .then(Mono.just(removed > 0))));
    }

    /** A new key for an existing user: the only time its secret exists outside the client. */
    public Mono<ApiKey> createKey(String user) {
        ApiKey key = ApiKey.generate();
        return storeKey(user, key).thenReturn(key);
    }

    /** Stores a key the caller made (the bootstrap admin key the launcher generated). */
    public Mono<Void> storeKey(String user, ApiKey key) {
        String value = json.writeValueAsString(Map.of("user", user, "sha256", key.secretHash(), "created", System.currentTimeMillis()));
        return cache.afterChange(() -> redis.opsForHash().putIfAbsent(keys.apiKeys(), key.id(), value).then());
    }

    public Mono<KeyRecord> key(String id) {
        return redis.<String, String>opsForHash().get(keys.apiKeys(), id).map(v -> keyOf(id, v));
    }

    public Flux<KeyRecord> keysOf(String user) {
        return redis.<String, String>opsForHash().entries(keys.apiKeys()).map(e -> keyOf(e.getKey(), e.getValue()))
                .filter(k -> k.user().equals(user));
    }

    /** Revokes the user's key; false when the user has no key with that id. */
    public Mono<Boolean> revokeKey(String user, String id) {
        return cache.afterChange(() -> key(id).filter(k -> k.user().equals(user))
                .flatMap(k -> redis.opsForHash().remove(keys.apiKeys(), id).map(n -> n > 0))
                .defaultIfEmpty(false));
    }

    public Mono<Void> putPermission(String vhost, String user, Permission p) {
        String value = json.writeValueAsString(Map.of("configure", p.configure(), "write", p.write(), "read", p.read()));
        return cache.afterChange(() -> redis.opsForHash().put(keys.permissions(), vhost + "/" + user, value).then());
    }

    public Mono<Boolean> deletePermission(String vhost, String user) {
        return cache.afterChange(() -> redis.opsForHash().remove(keys.permissions(), vhost + "/" + user).map(n -> n > 0));
    }

    /** The user's permission in each vhost where it has one. */
    public Mono<Map<String, Permission>> permissionsOf(String user) {
        return allPermissions().filter(p -> p.user().equals(user))
                .collectMap(Grant::vhost, Grant::permission, LinkedHashMap::new);
    }

    /** Every user's permission in {@code vhost}, by user. */
    public Mono<Map<String, Permission>> permissionsIn(String vhost) {
        return allPermissions().filter(p -> p.vhost().equals(vhost))
                .collectMap(Grant::user, Grant::permission, LinkedHashMap::new);
    }

    /** One user's permission in one vhost: a row of {@link RedisKeys#permissions()}. */
    public record Grant(String vhost, String user, Permission permission) {
    }

    private Flux<Grant> allPermissions() {
        return redis.<String, String>opsForHash().entries(keys.permissions()).map(e -> {
            String field = e.getKey();
            int slash = field.indexOf('/');
            JsonNode n = json.readTree(e.getValue());
            return new Grant(field.substring(0, slash), field.substring(slash + 1),
                    Permission.of(n.path("configure").asString(""), n.path("write").asString(""), n.path("read").asString("")));
        });
    }

    private Flux<String> permissionFields() {
        return redis.<String, String>opsForHash().keys(keys.permissions());
    }

    private UserRecord userOf(String name, String value) {
        List<String> tags = new ArrayList<>();
        json.readTree(value).path("tags").forEach(t -> tags.add(t.asString()));
        return new UserRecord(name, List.copyOf(tags));
    }

    private KeyRecord keyOf(String id, String value) {
        JsonNode n = json.readTree(value);
        if (!n.hasNonNull("user") || !n.hasNonNull("sha256")) {
            throw new TributaryException(io.tributary.protocol.problem.ProblemType.INTERNAL_ERROR, "API key record " + id + " is damaged");
        }
        return new KeyRecord(id, n.get("user").asString(), n.get("sha256").asString(), n.path("created").asLong(0));
    }
}
