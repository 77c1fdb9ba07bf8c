package io.tributary.gateway.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/** The gate passes upstream the smaller of the permits and the socket's demand, never more. */
class CreditGateTest {
    /** A downstream that requests only when told to, like a socket that stops reading. */
    static final class Socket extends BaseSubscriber<Integer> {
        final List<Integer> got = new ArrayList<>();

        @Override
        protected void hookOnSubscribe(Subscription s) {
            // asks for nothing until the test says so
        }

        @Override
        protected void hookOnNext(Integer value) {
            got.add(value);
        }
    }

    @Test
    void aSocketThatStopsReadingGetsNothingFetchedForIt() {
        AtomicLong requested = new AtomicLong();
        CreditGate<Integer> gate = new CreditGate<>(1_000_000);
        Socket socket = new Socket();
        gate.attach(Flux.range(0, 10_000).doOnRequest(n -> requested.addAndGet(n))).subscribe(socket);
        assertThat(requested.get()).as("a million permits, but the socket asked for nothing").isZero();
        socket.request(5);
        assertThat(requested.get()).isEqualTo(5);
        assertThat(socket.got).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void noMoreThanThePermitsHeld() {
        AtomicLong requested = new AtomicLong();
        CreditGate<Integer> gate = new CreditGate<>(3);
        Socket socket = new Socket();
        gate.attach(Flux.range(0, 100).doOnRequest(n -> requested.addAndGet(n))).subscribe(socket);
        socket.request(50);
        assertThat(socket.got).containsExactly(0, 1, 2);
        gate.grant(2);
        assertThat(socket.got).containsExactly(0, 1, 2, 3, 4);
        assertThat(requested.get()).isEqualTo(5);
        socket.request(Long.MAX_VALUE);
        gate.grant(1);
        assertThat(socket.got).hasSize(6);
    }
}
