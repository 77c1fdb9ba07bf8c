package io.tributary.gateway.subscription;

import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Flow control by permits, Pulsar's model: the consumer holds permits, each message sent
 * uses one, and a {@code credit} frame adds more. Implemented as reactive demand, bounded
 * twice: the upstream is asked for no more items than permits were granted, and no more than
 * the socket asked for. So a consumer that holds a million permits but stops reading its
 * socket makes the gateway fetch nothing more: what it has not read waits in storage.
 */
final class CreditGate<T> {
    /** Permits granted and not yet passed upstream as demand. */
    private long permits;
    /** What downstream (the socket) asked for and was not yet passed upstream. */
    private long demand;
    private Subscription upstream;

    CreditGate(long initialPermits) {
        this.permits = initialPermits;
    }

    /** Subscribes to {@code upstream}; the returned flux carries at most the granted number of items. */
    Flux<T> attach(Flux<T> upstream) {
        return Flux.create(sink -> {
            Forward forward = new Forward(sink);
            sink.onRequest(n -> {
                synchronized (this) {
                    demand = add(demand, n);
                }
                pump();
            });
            sink.onDispose(forward::dispose);
            upstream.subscribe(forward);
        });
    }

    /** Adds {@code permits} (a credit frame). */
    void grant(long more) {
        synchronized (this) {
            permits = add(permits, more);
        }
        pump();
    }

    /** Passes upstream what both the permits and the socket's demand allow. */
    private void pump() {
        long n;
        Subscription s;
        synchronized (this) {
            s = upstream;
            n = Math.min(permits, demand);
            if (s == null || n <= 0) {
                return;
            }
            permits -= n;
            demand -= n;
        }
        s.request(n);
    }

    private static long add(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private final class Forward extends BaseSubscriber<T> {
        private final FluxSink<T> sink;

        Forward(FluxSink<T> sink) {
            this.sink = sink;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            synchronized (CreditGate.this) {
                upstream = subscription;
            }
            pump();
        }

        @Override
        protected void hookOnNext(T value) {
            sink.next(value);
        }

        @Override
        protected void hookOnError(Throwable error) {
            sink.error(error);
        }

        @Override
        protected void hookOnComplete() {
            sink.complete();
        }
    }
}
