package io.tributary.gateway.subscription;

import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import org.reactivestreams.Subscription;

/**
 * Flow control by permits, Pulsar's model: the consumer holds permits, each message sent
 * uses one, and a {@code credit} frame adds more. Implemented as reactive demand: the
 * upstream is only ever asked for as many items as permits were granted, so nothing beyond
 * them is even fetched from storage.
 */
final class CreditGate<T> {
    private final Sinks.Many<T> out = Sinks.many().unicast().onBackpressureBuffer();
    private final long initial;
    private final Subscriber subscriber = new Subscriber();

    CreditGate(long initialPermits) {
        this.initial = initialPermits;
    }

    /** Subscribes to {@code upstream}; the returned flux carries at most the granted number of items. */
    Flux<T> attach(Flux<T> upstream) {
        upstream.subscribe(subscriber);
        return out.asFlux().doFinally(s -> subscriber.dispose());
    }

    /** Adds {@code permits} (a credit frame). */
    void grant(long permits) {
        subscriber.request(permits);
    }

    private final class Subscriber extends BaseSubscriber<T> {
        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            if (initial > 0) {
                subscription.request(initial);
            }
        }

        @Override
        protected void hookOnNext(T value) {
            out.emitNext(value, Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofSeconds(1)));
        }

        @Override
        protected void hookOnError(Throwable error) {
            out.tryEmitError(error);
        }

        @Override
        protected void hookOnComplete() {
            out.tryEmitComplete();
        }
    }
}
