package io.tributary.gateway.subscription;

import io.tributary.protocol.metadata.SubscriptionInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A poll of a shared subscription: claims from the partitions one after another, each for
 * what is still missing of {@code max}, without waiting; with nothing anywhere, tries again
 * every {@link #RETRY_EVERY} until the caller's deadline (a long poll). Claims never wait on a
 * leader themselves: a claim the poll would abandon mid-wait would hold its messages until
 * the ack timeout for a caller that never sees them.
 */
@Component
public class SharedPoll {
    static final Duration RETRY_EVERY = Duration.ofMillis(50);

    private final SharedFeed feed;

    public SharedPoll(SharedFeed feed) {
        this.feed = feed;
    }

    public Mono<List<Delivery>> poll(SubscriptionInfo sub, int partitions, int max, long deadlineMs) {
        return pass(sub, partitions, max).flatMap(got -> !got.isEmpty() || System.currentTimeMillis() >= deadlineMs
                ? Mono.just(got)
                : Mono.delay(RETRY_EVERY).then(Mono.defer(() -> poll(sub, partitions, max, deadlineMs))));
    }

    /** One claim per partition, in turn (starting at a random one, so no partition is always last), up to max in all. */
    private Mono<List<Delivery>> pass(SubscriptionInfo sub, int partitions, int max) {
        List<Delivery> got = new ArrayList<>();
        int first = java.util.concurrent.ThreadLocalRandom.current().nextInt(partitions);
        return Flux.range(0, partitions)
                .map(i -> (first + i) % partitions)
                .concatMap(p -> got.size() >= max ? Mono.<List<Delivery>>empty()
                        : feed.claim(sub, p, max - got.size(), Duration.ZERO).doOnNext(got::addAll))
                .then(Mono.fromSupplier(() -> got));
    }
}
