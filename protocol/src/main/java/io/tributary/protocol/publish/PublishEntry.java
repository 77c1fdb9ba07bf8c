package io.tributary.protocol.publish;

import java.nio.ByteBuffer;

/**
 * One message on its way from the gateway to routing: the encoded record plus what routing
 * needs to place it.
 *
 * @param partition an explicit partition, or -1 to let routing choose (key hash or sticky)
 * @param routingKey the exchange routing key, or null on a publish to a topic
 * @param record the record, encoded once by the gateway ({@link io.tributary.protocol.record.RecordCodec})
 */
public record PublishEntry(int partition, String routingKey, ByteBuffer record) {
    public static final int ANY_PARTITION = -1;
}
