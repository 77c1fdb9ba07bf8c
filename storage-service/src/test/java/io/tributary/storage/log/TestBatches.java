package io.tributary.storage.log;

import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Small batches for log tests: record i of a batch carries the payload "tag-i". */
final class TestBatches {
    private TestBatches() {
    }

    static ByteBuffer batch(String tag, int records, long timestamp) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        for (int i = 0; i < records; i++) {
            b.add(RecordCodec.encode(new Record(-1, timestamp + i, 0, 0, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    null, null, Map.of(), (tag + "-" + i).getBytes(StandardCharsets.UTF_8), false)));
        }
        return b.build();
    }
}
