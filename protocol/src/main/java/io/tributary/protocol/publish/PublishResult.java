package io.tributary.protocol.publish;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where one published message was stored: {@code offset} is -1 with {@code acks=none}. When
 * its partition's leader could not take it, {@code offset} is absent and {@code error} says
 * why (the message may or may not be stored: a retry with the same Idempotency-Key, or with
 * the message's own id, settles it exactly once).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PublishResult(String topic, int partition, Long offset, PublishError error) {

    /** The problem that kept one message from being confirmed, as in a problem+json document. */
    public record PublishError(String type, int status, String detail) {
    }

    public PublishResult(String topic, int partition, long offset) {
        this(topic, partition, offset, null);
    }

    public static PublishResult failed(String topic, int partition, PublishError error) {
        return new PublishResult(topic, partition, null, error);
    }

    /** Whether this message's partition failed. Not a JSON property: {@code error} says it. */
    @JsonIgnore
    public boolean failed() {
        return error != null;
    }
}
