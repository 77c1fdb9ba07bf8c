package io.tributary.protocol.publish;

/** Where one published message was stored. {@code offset} is -1 with {@code acks=none}. */
public record PublishResult(String topic, int partition, long offset) {
}
