package io.tributary.storage.log;

import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordBatchBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Builds whole record batches out of chosen records of stored batches, for a reader that
 * should get only those (a tag filter's matches, a shared subscription's claim): each run of
 * consecutive offsets written in one leader epoch becomes one batch with that base offset and
 * epoch, so the reader decodes offsets exactly as from the log. The records are copied as
 * stored, never decoded. Add records in increasing offset order.
 */
public final class Rebatcher {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private RecordBatchBuilder run;
    private long runStart = -1;
    private long next = -1;
    private int epoch;

    /** Adds the record at {@code offset}, written in leader epoch {@code leaderEpoch}. */
    public void add(long offset, int leaderEpoch, ByteBuffer encodedRecord) {
        if (run != null && (offset != next || leaderEpoch != epoch)) {
            endRun();
        }
        if (run == null) {
            run = new RecordBatchBuilder();
            runStart = offset;
            epoch = leaderEpoch;
        }
        run.add(encodedRecord);
        next = offset + 1;
    }

    private void endRun() {
        RecordBatch b = RecordBatch.view(run.build());
        b.setBaseOffset(runStart);
        b.setLeaderEpoch(epoch);
        ByteBuffer bytes = b.buffer();
        out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        run = null;
    }

    /** The batches built; empty when nothing was added. */
    public ByteBuffer build() {
        if (run != null) {
            endRun();
        }
        return ByteBuffer.wrap(out.toByteArray());
    }
}
