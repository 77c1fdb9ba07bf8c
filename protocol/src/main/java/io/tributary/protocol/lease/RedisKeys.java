package io.tributary.protocol.lease;

/**
 * Every Redis key Tributary uses, in one place. All keys share a prefix
 * ({@code tributary.redis.key-prefix}, default {@code trib:}) so several clusters (or test
 * runs) can share one Redis.
 *
 * <pre>
 * {p}node:{id}                  STRING  node lease: JSON {"id","url"}, PX = lease TTL (written by the storage node)
 * {p}nodes                      SET     ids of every storage node that ever registered
 * {p}controller                 STRING  controller lease: the active coordinator's id, PX = lease TTL
 * {p}controller:epoch           STRING  counter, INCR for every new controller term (fencing)
 * {p}metadata:version           STRING  counter, INCR on every metadata change
 * {p}vhosts                     SET     vhost names
 * {p}topics                     HASH    "{vhost}/{topic}" -> TopicInfo JSON
 * {p}subscriptions              HASH    "{vhost}/{topic}/{sub}" -> SubscriptionInfo JSON
 * {p}group:{vhost}/{topic}/{sub}            ZSET    member id -> session expiry (epoch ms)
 * {p}group:{vhost}/{topic}/{sub}:generation STRING  counter, INCR when the member set changes (starts at the time in ms)
 * {p}group:{vhost}/{topic}/{sub}:applied    HASH    member id -> generation whose assignment the member acts on
 * {p}group:{vhost}/{topic}/{sub}:joined     HASH    member id -> when it joined (epoch ms; single active consumer order)
 * {p}exchanges                  HASH    "{vhost}/{exchange}" -> ExchangeInfo JSON (owned by routing)
 * {p}bindings                   HASH    "{vhost}/{exchange}/{bindingId}" -> BindingInfo JSON (owned by routing)
 * {p}routing:version            STRING  counter, INCR on every exchange or binding change
 * {p}routing:changes            channel PUBLISHed the new version after every change
 * {p}producer:instances         STRING  counter, INCR once per routing instance start: the high bits of its producer ids
 * {p}idempotency:{vhost}:{key}  STRING  a publish's Idempotency-Key: SHA-256 of the request, PX = dedup window (gateway)
 * </pre>
 */
public final class RedisKeys {
    public static final String DEFAULT_PREFIX = "trib:";
    private final String prefix;

    public RedisKeys(String prefix) {
        this.prefix = prefix == null || prefix.isEmpty() ? DEFAULT_PREFIX : prefix;
    }

    public String prefix() {
        return prefix;
    }

    public String nodeLease(String nodeId) {
        return prefix + "node:" + nodeId;
    }

    public String nodes() {
        return prefix + "nodes";
    }

    public String controllerLease() {
        return prefix + "controller";
    }

    public String controllerEpoch() {
        return prefix + "controller:epoch";
    }

    public String metadataVersion() {
        return prefix + "metadata:version";
    }

    public String vhosts() {
        return prefix + "vhosts";
    }

    public String topics() {
        return prefix + "topics";
    }

    public String subscriptions() {
        return prefix + "subscriptions";
    }

    /** Hash: partition moves (reassignments), in progress and done, by move id. */
    public String reassignments() {
        return prefix + "reassignments";
    }

    /** Set: the storage nodes being drained. */
    public String draining() {
        return prefix + "draining";
    }

    /** Hash: user name to {"tags":[...]} (see the gateway's auth.UserStore). */
    public String users() {
        return prefix + "users";
    }

    /** Hash: API key id to {"user","sha256","created"}; the secret itself is never stored. */
    public String apiKeys() {
        return prefix + "api-keys";
    }

    /** Hash: "vhost/user" to {"configure","write","read"} regular expressions. */
    public String permissions() {
        return prefix + "permissions";
    }

    /** Hash: vhost to its publish rate limits, JSON (see the gateway's limit.VhostLimitStore). */
    public String vhostLimits() {
        return prefix + "vhost-limits";
    }

    /** Hash: one vhost's token buckets ({@code requests}, {@code bytes}: tokens; {@code at}: last refill, microseconds). */
    public String rateBuckets(String vhost) {
        return prefix + "rate:" + vhost;
    }

    public String exchanges() {
        return prefix + "exchanges";
    }

    public String bindings() {
        return prefix + "bindings";
    }

    public String routingVersion() {
        return prefix + "routing:version";
    }

    public String routingChanges() {
        return prefix + "routing:changes";
    }

    public String producerInstances() {
        return prefix + "producer:instances";
    }

    public String idempotencyKey(String vhost, String key) {
        return prefix + "idempotency:" + vhost + ":" + key;
    }

    public String groupMembers(String subscriptionKey) {
        return prefix + "group:" + subscriptionKey;
    }

    public String groupGeneration(String subscriptionKey) {
        return prefix + "group:" + subscriptionKey + ":generation";
    }

    public String groupApplied(String subscriptionKey) {
        return prefix + "group:" + subscriptionKey + ":applied";
    }

    public String groupJoined(String subscriptionKey) {
        return prefix + "group:" + subscriptionKey + ":joined";
    }
}
