package io.tributary.protocol.shared;

import io.tributary.protocol.record.CorruptRecordException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a shared-subscription claim answer, storage to gateway
 * ({@code application/octet-stream}):
 *
 * <pre>
 * int32  rangeCount
 * repeated rangeCount times:           a ClaimedRange
 *   int64  from
 *   int64  to                          exclusive
 *   int32  deliveries                  the first delivery counts 1
 *   int8   fate                        ClaimedRange.Fate ordinal
 * bytes  batches                       record batches holding the claimed records (storage
 *                                      sends only those; a reader keeps only claimed offsets
 *                                      anyway)
 * </pre>
 */
public final class ClaimCodec {
    private static final int RANGE_BYTES = 8 + 8 + 4 + 1;

    private ClaimCodec() {
    }

    /** The ranges and the batches, in one buffer. */
    public static ByteBuffer encode(List<ClaimedRange> ranges, List<ByteBuffer> batches) {
        int size = 4 + ranges.size() * RANGE_BYTES + batches.stream().mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(ranges.size());
        for (ClaimedRange r : ranges) {
            out.putLong(r.from()).putLong(r.to()).putInt(r.deliveries()).put((byte) r.fate().ordinal());
        }
        batches.forEach(b -> out.put(b.duplicate()));
        return out.flip();
    }

    /** A decoded answer: the claimed ranges, and the batches that hold them. */
    public record Claim(List<ClaimedRange> ranges, ByteBuffer batches) {
    }

    public static Claim decode(ByteBuffer in) {
        ByteBuffer b = in.duplicate();
        try {
            int n = b.getInt();
            if (n < 0 || (long) n * RANGE_BYTES > b.remaining()) {
                throw new CorruptRecordException("claim names " + n + " ranges in " + b.remaining() + " bytes");
            }
            List<ClaimedRange> ranges = new ArrayList<>(n);
            ClaimedRange.Fate[] fates = ClaimedRange.Fate.values();
            for (int i = 0; i < n; i++) {
                long from = b.getLong();
                long to = b.getLong();
                int deliveries = b.getInt();
                int fate = b.get();
                if (fate < 0 || fate >= fates.length || to <= from) {
                    throw new CorruptRecordException("claim range " + from + "-" + to + " with fate " + fate);
                }
                ranges.add(new ClaimedRange(from, to, deliveries, fates[fate]));
            }
            return new Claim(ranges, b.slice());
        } catch (java.nio.BufferUnderflowException e) {
            throw new CorruptRecordException("claim answer ends early");
        }
    }
}
