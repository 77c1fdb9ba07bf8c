package io.tributary.gateway.subscription;

import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.cluster.SharedLeaderClient;
import io.tributary.gateway.deadletter.DeadLetters;
import io.tributary.protocol.cluster.LeaderCall;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.shared.ClaimCodec;
import io.tributary.protocol.shared.ClaimedRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * One claim of a shared subscription on one partition, as the consumer's gateway handles it:
 * asks the leader for up to {@code max} messages ({@link SharedLeaderClient#claim}), publishes
 * the ones the leader gave up on to the dead letter topic and settles them, and hands back the
 * rest as deliveries leased to this consumer. A leader that is away is waited for.
 */
@Component
public class SharedFeed {
    private static final Logger log = LoggerFactory.getLogger(SharedFeed.class);

    private final SharedLeaderClient leaders;
    private final DeadLetters deadLetters;
    private final StartPositions starts;
    private final GatewayProperties props;

    public SharedFeed(SharedLeaderClient leaders, DeadLetters deadLetters, StartPositions starts, GatewayProperties props) {
        this.leaders = leaders;
        this.deadLetters = deadLetters;
        this.starts = starts;
        this.props = props;
    }

    /**
     * Up to {@code max} deliveries, waiting up to {@code wait} for some; retries while the
     * leader is away. The leader knows where the subscription is (its ack state, or the cursor
     * its declaration pinned); only when it knows neither is the subscription's startAt resolved
     * here and named, so a claim is one call.
     */
    public Mono<List<Delivery>> claim(SubscriptionInfo sub, int partition, int max, Duration wait) {
        return claim(sub, partition, max, wait, null);
    }

    /** As above, for a key_shared member ({@code keys}; null for shared). */
    public Mono<List<Delivery>> claim(SubscriptionInfo sub, int partition, int max, Duration wait, SharedLeaderClient.KeyView keys) {
        return Mono.defer(() -> {
            long claimedAt = System.currentTimeMillis();
            int bytes = (int) props.fetchMaxBytes().toBytes();
            return leaders.claim(sub, partition, null, max, bytes, wait, false, keys)
                    .onErrorResume(SharedFeed::noPosition, e -> start(sub, partition)
                            .flatMap(start -> leaders.claim(sub, partition, start, max, bytes, wait, false, keys)))
                    .flatMap(c -> settleDeadLetters(sub, partition, c).thenReturn(deliveries(sub, partition, c,
                            claimedAt + sub.ackTimeoutMs())));
        }).retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(3))
                .filter(LeaderCall::isRetriable));
    }

    private static boolean noPosition(Throwable e) {
        return e instanceof TributaryException t && t.type() == ProblemType.CONFLICT;
    }

    /** Where {@code sub} starts on {@code partition}: its pinned position, or its startAt. */
    private Mono<Long> start(SubscriptionInfo sub, int partition) {
        return starts.committedOrStart(ConsumerIdentity.of(sub, null), partition);
    }

    /**
     * Publishes the dead letters due on {@code partition} now (after a nack without requeue),
     * instead of leaving them to the next consumer's claim. Best effort: what fails is
     * published by a later claim.
     */
    public Mono<Void> deadLetterNow(SubscriptionInfo sub, int partition) {
        if (sub.deadLetterTopic() == null) {
            return Mono.empty();
        }
        return leaders.claim(sub, partition, null, SharedConsumer.MAX_CLAIM, (int) props.fetchMaxBytes().toBytes(), Duration.ZERO, true)
                .flatMap(c -> settleDeadLetters(sub, partition, c))
                .onErrorResume(e -> {
                    log.info("rejected messages of {} partition {} wait for the next claim: {}", sub.key(), partition, e.toString());
                    return Mono.empty();
                });
    }

    private static List<Delivery> deliveries(SubscriptionInfo sub, int partition, ClaimCodec.Claim c, long deadline) {
        Map<Long, Record> records = records(c);
        List<Delivery> out = new ArrayList<>();
        for (ClaimedRange r : c.ranges()) {
            if (r.fate() != ClaimedRange.Fate.DELIVER) {
                continue;
            }
            for (long o = r.from(); o < r.to(); o++) {
                Record rec = records.get(o);
                if (rec != null) {
                    out.add(Delivery.leased(partition, rec, r.deliveries(), deadline));
                }
            }
        }
        return out;
    }

    /**
     * Publishes the claim's dead letters, then settles them. A failure leaves them leased: the
     * next claim after the ack timeout hands them out again, and their ids keep the dead letter
     * topic from storing them twice.
     */
    private Mono<Void> settleDeadLetters(SubscriptionInfo sub, int partition, ClaimCodec.Claim c) {
        List<DeadLetters.DeadLetter> letters = new ArrayList<>();
        Map<Long, Record> records = null;
        for (ClaimedRange r : c.ranges()) {
            if (r.fate() == ClaimedRange.Fate.DELIVER) {
                continue;
            }
            records = records == null ? records(c) : records;
            for (long o = r.from(); o < r.to(); o++) {
                Record rec = records.get(o);
                if (rec != null) {
                    letters.add(new DeadLetters.DeadLetter(partition, rec, r.fate(), r.deliveries()));
                }
            }
        }
        if (letters.isEmpty()) {
            return Mono.empty();
        }
        List<Long> offsets = letters.stream().map(l -> l.record().offset()).toList();
        return deadLetters.publish(sub, letters)
                .then(leaders.ack(sub, partition, offsets))
                .then()
                .onErrorResume(e -> {
                    log.warn("dead letters of {} partition {} not settled yet, retried after the ack timeout: {}", sub.key(),
                            partition, e.toString());
                    return Mono.empty();
                });
    }

    /** The claimed batches' records by offset (checked: a corrupt batch fails the claim, which is retried). */
    private static Map<Long, Record> records(ClaimCodec.Claim c) {
        Map<Long, Record> out = new HashMap<>();
        for (RecordBatch b : RecordBatch.split(c.batches())) {
            b.validate();
            for (Record r : b.records()) {
                out.put(r.offset(), r);
            }
        }
        return out;
    }
}
