package io.tributary.protocol.metadata;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Where a subscription starts reading a partition that has no committed position, and the
 * body of a cursor seek. Exactly one member is set: {@code position} (earliest or latest),
 * {@code timestamp} (first offset at or after it), {@code offset} (every partition) or
 * {@code offsets} (per partition; partitions not named start at earliest).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StartPosition(String position, Long timestamp, Long offset, Map<String, Long> offsets) {
    public static final String EARLIEST = "earliest";
    public static final String LATEST = "latest";

    public static StartPosition earliest() {
        return new StartPosition(EARLIEST, null, null, null);
    }

    public static StartPosition latest() {
        return new StartPosition(LATEST, null, null, null);
    }
}
