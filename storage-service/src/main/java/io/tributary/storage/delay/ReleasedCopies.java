package io.tributary.storage.delay;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.storage.log.LogRead;
import io.tributary.storage.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.TreeSet;
import java.util.List;
import java.util.Map;

/**
 * The released copies of due delayed records, as one batch to append: each the delayed
 * record as its publisher sent it (key, tag, headers, payload, timestamp, TTL), with
 * {@code deliverAt} 0, the released attribute, and two headers more:
 * {@code x-scheduled-offset} (where the delayed record is stored; the {@link DelayIndex} of
 * every replica pairs the two by it) and {@code x-deliver-at}. The copy has no idempotency id:
 * its id would be taken for a retry of the delayed record itself.
 */
public final class ReleasedCopies {
    /** The batch to append, or null when none of the originals is left; {@code missing} gets those. */
    public record Built(ByteBuffer batch, List<Long> released, List<Long> missing) {
    }

    private ReleasedCopies() {
    }

    /** Reads the delayed records at {@code offsets} from {@code log} and builds their released copies, in that order. */
    public static Built of(PartitionLog log, List<Long> offsets) {
        Map<Long, ByteBuffer> stored = read(log, offsets);
        RecordBatchBuilder builder = new RecordBatchBuilder();
        List<Long> released = new ArrayList<>();
        List<Long> missing = new ArrayList<>();
        for (long offset : offsets) {
            ByteBuffer encoded = stored.get(offset);
            Record original = encoded == null ? null : RecordCodec.decode(encoded, offset);
            if (original == null || !original.scheduled()) {
                missing.add(offset);
                continue;
            }
            builder.add(RecordCodec.encodeReleased(copyOf(original)));
            released.add(offset);
        }
        return new Built(released.isEmpty() ? null : builder.build(), released, missing);
    }

    /**
     * The encoded records at {@code offsets}, read in offset order so that each batch holding
     * some of them is read once (they come due in an order unlike the log's).
     */
    private static Map<Long, ByteBuffer> read(PartitionLog log, List<Long> offsets) {
        Map<Long, ByteBuffer> found = new HashMap<>();
        RecordBatch holding = null;
        List<ByteBuffer> records = List.of();
        for (long offset : new TreeSet<>(offsets)) {
            if (holding == null || offset > holding.lastOffset()) {
                holding = batchHolding(log, offset);
                records = holding == null ? List.of() : holding.encodedRecords();
            }
            if (holding != null && offset >= holding.baseOffset()) {
                found.put(offset, records.get((int) (offset - holding.baseOffset())));
            }
        }
        return found;
    }

    static Record copyOf(Record original) {
        Map<String, String> headers = new LinkedHashMap<>(original.headers());
        headers.put(Record.SCHEDULED_OFFSET_HEADER, Long.toString(original.offset()));
        headers.put(Record.DELIVER_AT_HEADER, Long.toString(original.deliverAt()));
        return new Record(-1, original.timestamp(), 0, original.expireAt(), original.key(), original.tag(), null,
                headers, original.payload(), original.jsonPayload());
    }

    private static RecordBatch batchHolding(PartitionLog log, long offset) {
        if (offset < log.startOffset() || offset >= log.endOffset()) {
            return null;
        }
        LogRead r = log.read(offset, 1); // at least one batch: the one holding the offset
        ByteBuffer bytes;
        try {
            bytes = r.toBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (RecordBatch b : RecordBatch.split(bytes)) {
            if (b.baseOffset() <= offset && offset <= b.lastOffset()) {
                return b;
            }
        }
        return null;
    }
}
