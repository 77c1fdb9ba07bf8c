package io.tributary.gateway.cluster;

import io.tributary.protocol.cluster.LeaderCall;
import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.shared.ClaimCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * A shared subscription's calls to the partition leader that keeps its ack state (storage's
 * {@code SharedController}): claim messages, ack, nack, and read the state. Through
 * {@link LeaderCall}, like every leader call: it follows leadership, retries what is safe to
 * retry (all of these are: a repeated ack or nack changes nothing more) and guards each node.
 */
@Component
public class SharedLeaderClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final LeaderCall leaders;

    public SharedLeaderClient(LeaderCall leaders) {
        this.leaders = leaders;
    }

    /**
     * Up to {@code max} messages of {@code sub} on {@code partition} leased to the caller until
     * the ack timeout, waiting up to {@code wait} when there are none. A subscription that has
     * never claimed there starts at its pinned cursor, else at {@code start}; with neither (null
     * start), the leader answers 409 {@code conflict}. With {@code deadLettersOnly}, only the
     * messages due for the dead letter topic (nothing to deliver).
     */
    public Mono<ClaimCodec.Claim> claim(SubscriptionInfo sub, int partition, Long start, int max, int maxBytes, Duration wait,
            boolean deadLettersOnly) {
        return claim(sub, partition, start, max, maxBytes, wait, deadLettersOnly, null);
    }

    /** A key_shared claim's member and the members it knows of (its last heartbeat's); the leader splits the keys among them. */
    public record KeyView(String member, List<String> members, long generation) {
    }

    /** As above; {@code keys} for a key_shared subscription, else null. */
    public Mono<ClaimCodec.Claim> claim(SubscriptionInfo sub, int partition, Long start, int max, int maxBytes, Duration wait,
            boolean deadLettersOnly, KeyView keys) {
        TagFilter filter = TagFilter.parse(sub.filter());
        return leaders.call(sub.vhost(), sub.topic(), partition, t -> t.leader().post()
                .uri(u -> {
                    u.path("/internal/partitions/{vhost}/{topic}/{partition}/shared/{sub}/claim");
                    if (start != null) {
                        u.queryParam("start", start);
                    }
                    u.queryParam("max", max).queryParam("maxBytes", maxBytes)
                            .queryParam("waitMs", wait.toMillis()).queryParam("ackTimeoutMs", sub.ackTimeoutMs())
                            .queryParam("maxDeliveries", sub.maxDeliveries())
                            .queryParam("deadLetters", sub.deadLetterTopic() != null)
                            .queryParam("deadLettersOnly", deadLettersOnly)
                            .queryParam("epoch", t.partition().leaderEpoch());
                    if (keys != null) {
                        u.queryParam("member", keys.member()).queryParam("members", String.join(",", keys.members()))
                                .queryParam("generation", keys.generation());
                    }
                    if (!filter.takesAll()) {
                        u.queryParam("tags", "{tags}");
                        return u.build(sub.vhost(), sub.topic(), partition, sub.name(), filter.expression());
                    }
                    return u.build(sub.vhost(), sub.topic(), partition, sub.name());
                })
                .retrieve()
                .bodyToMono(byte[].class)
                .defaultIfEmpty(new byte[0])
                .timeout(wait.plus(TIMEOUT))
                .onErrorMap(java.util.concurrent.TimeoutException.class, e -> TributaryException.unavailable(
                        "the leader of " + sub.topic() + "/" + partition + " did not answer a claim in time", e))
                .map(body -> ClaimCodec.decode(ByteBuffer.wrap(body))));
    }

    /** Acks (or settles, after a dead letter was published) offsets; the subscription's committed position after it. */
    public Mono<Long> ack(SubscriptionInfo sub, int partition, List<Long> offsets) {
        return post(sub, partition, "ack", Map.of("offsets", offsets));
    }

    /**
     * Nacks offsets: {@code requeue} makes them due again at once ({@code undeliver}: and takes
     * back the delivery, for messages claimed but never sent); else they are dead-lettered when
     * the subscription has a dead letter topic, dropped when not.
     */
    public Mono<Long> nack(SubscriptionInfo sub, int partition, List<Long> offsets, boolean requeue, boolean undeliver) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("offsets", offsets);
        body.put("requeue", requeue);
        body.put("undeliver", undeliver);
        body.put("deadLetter", sub.deadLetterTopic() != null);
        return post(sub, partition, "nack", body);
    }

    private Mono<Long> post(SubscriptionInfo sub, int partition, String op, Map<String, Object> body) {
        return leaders.call(sub.vhost(), sub.topic(), partition, t -> t.leader().post()
                .uri("/internal/partitions/{vhost}/{topic}/{partition}/shared/{sub}/" + op, sub.vhost(), sub.topic(), partition,
                        sub.name())
                .bodyValue(body)
                .retrieve()
                .bodyToMono(Settled.class)
                .timeout(TIMEOUT)
                .map(Settled::committed));
    }

    record Settled(long committed) {
    }

    /** The ack state of a shared subscription on one partition (dispatched -1: it never claimed there). */
    public record SharedState(long dispatched, long committed, long unacked, long inFlight, int spans) {
    }

    public Mono<SharedState> state(SubscriptionInfo sub, int partition) {
        return leaders.call(sub.vhost(), sub.topic(), partition, t -> t.leader().get()
                .uri("/internal/partitions/{vhost}/{topic}/{partition}/shared/{sub}", sub.vhost(), sub.topic(), partition, sub.name())
                .retrieve().bodyToMono(SharedState.class).timeout(TIMEOUT));
    }
}
