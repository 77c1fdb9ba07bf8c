package io.tributary.protocol.record;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One message as stored: what a publisher sent plus the timestamp the gateway gave it.
 * {@code offset} is -1 until the record is read back from a partition.
 *
 * @param deliverAt epoch ms before which the record is not delivered (delayed delivery); 0 = at once
 * @param expireAt epoch ms after which the record is not delivered (TTL); 0 = never
 * @param key the message key, or null
 * @param jsonPayload true if {@code payload} is UTF-8 JSON text, false for opaque bytes
 */
public record Record(
        long offset,
        long timestamp,
        long deliverAt,
        long expireAt,
        byte[] key,
        String tag,
        String id,
        Map<String, String> headers,
        byte[] payload,
        boolean jsonPayload) {

    /** On a delayed record's released copy: the offset the delayed record was stored at. */
    public static final String SCHEDULED_OFFSET_HEADER = "x-scheduled-offset";
    /** On a delayed record's released copy: the time it was due (epoch ms). */
    public static final String DELIVER_AT_HEADER = "x-deliver-at";

    public Record {
        headers = headers == null ? Map.of() : headers;
        payload = payload == null ? new byte[0] : payload;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r
                && offset == r.offset
                && timestamp == r.timestamp
                && deliverAt == r.deliverAt
                && expireAt == r.expireAt
                && jsonPayload == r.jsonPayload
                && Arrays.equals(key, r.key)
                && Objects.equals(tag, r.tag)
                && Objects.equals(id, r.id)
                && headers.equals(r.headers)
                && Arrays.equals(payload, r.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, timestamp, tag, id, headers, Arrays.hashCode(key), Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Record[offset=" + offset + ", timestamp=" + timestamp + ", tag=" + tag + ", id=" + id
                + ", key=" + (key == null ? null : key.length + " bytes") + ", payload=" + payload.length + " bytes]";
    }

    /**
     * True for a delayed record as stored: it is never delivered at this offset; its released
     * copy, appended at its time, is (see {@link RecordCodec}).
     */
    public boolean scheduled() {
        return deliverAt != 0;
    }

    public Record withOffset(long newOffset) {
        return new Record(newOffset, timestamp, deliverAt, expireAt, key, tag, id, headers, payload, jsonPayload);
    }
}
