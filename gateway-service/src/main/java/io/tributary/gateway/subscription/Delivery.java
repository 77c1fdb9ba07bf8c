package io.tributary.gateway.subscription;

import io.tributary.protocol.record.Record;

/** A record on its way to a consumer, with the partition it came from. */
public record Delivery(int partition, Record record) {
    public String id() {
        return partition + "-" + record.offset();
    }
}
