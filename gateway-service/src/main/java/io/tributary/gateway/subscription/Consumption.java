package io.tributary.gateway.subscription;

import io.tributary.protocol.metadata.SubscriptionInfo;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a transport (WebSocket, SSE) needs of one consumer connection, whatever the
 * subscription's type: the deliveries, and what the client's acks and nacks do. A
 * {@link ConsumerStream} (group, broadcast) commits positions, cumulatively per partition; a
 * {@link SharedConsumer} acks and nacks single messages on the partition leaders.
 */
public interface Consumption {
    SubscriptionInfo subscription();

    /** The messages for this consumer; flow control is the subscriber's demand. */
    Flux<Delivery> deliveries();

    /**
     * The client acks {@code ids}: refused at once (an {@code invalid-argument} thrown, nothing
     * acked) when one was not delivered on this connection; the returned Mono does the work.
     */
    Mono<Void> ack(List<ClientFrame.MessageId> ids);

    /** The client nacks {@code ids}, as {@link #ack} refuses unknown ones. */
    Mono<Void> nack(List<ClientFrame.MessageId> ids, boolean requeue);

    /** Sends what acks this connection batched (called every 100 ms). */
    Mono<Void> flush();

    /** The connection ended: flushes, and hands back what the consumer held. */
    Mono<Void> close();
}
