package io.tributary.gateway.cluster;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.CorruptRecordException;
import io.tributary.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A fetch answer from a storage leader: whole record batches plus the log's bounds, and for a
 * tag-filtered fetch the offset after the last record storage looked at ({@code nextOffset},
 * -1 when unfiltered): the records it skipped are not in {@code batches}.
 */
public record Fetched(ByteBuffer batches, long logStartOffset, long logEndOffset, long highWatermark, long nextOffset) {

    public Fetched(ByteBuffer batches, long logStartOffset, long logEndOffset, long highWatermark) {
        this(batches, logStartOffset, logEndOffset, highWatermark, -1);
    }

    /**
     * The batches, each checked (CRC and structure) before anything of it reaches a client:
     * storage serves verified segments with zero-copy and never looks at those bytes again,
     * so this is where damage that happened since is caught.
     */
    public List<RecordBatch> checkedBatches(String topic, int partition) {
        try {
            List<RecordBatch> list = RecordBatch.split(batches);
            for (RecordBatch b : list) {
                b.validate();
            }
            return list;
        } catch (CorruptRecordException e) {
            throw new TributaryException(ProblemType.CORRUPT_LOG, "a damaged batch came back from partition " + partition
                    + " of topic '" + topic + "': " + e.getMessage());
        }
    }
}
