package io.tributary.protocol.publish;

import io.tributary.protocol.problem.TributaryException;
import java.util.Locale;

/** How many replicas must hold a batch before a publish is answered. */
public enum Acks {
    /** Answer once routing has sent the batch; offsets are reported as -1. */
    NONE,
    /** Answer once the partition leader has appended the batch. */
    LEADER,
    /** Answer once every in-sync replica holds the batch (the high watermark passed it). */
    ALL;

    public static Acks parse(String value) {
        if (value == null || value.isEmpty()) {
            return ALL;
        }
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw TributaryException.invalidArgument("acks must be none, leader or all, not '" + value + "'");
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
