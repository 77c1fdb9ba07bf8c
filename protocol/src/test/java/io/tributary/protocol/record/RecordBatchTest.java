package io.tributary.protocol.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RecordBatchTest {

    @Provide
    Arbitrary<List<Record>> recordLists() {
        return RecordArbitraries.records().list().ofMinSize(1).ofMaxSize(20);
    }

    static ByteBuffer batchOf(List<Record> records) {
        RecordBatchBuilder builder = new RecordBatchBuilder();
        records.forEach(r -> builder.add(RecordCodec.encode(r)));
        return builder.build();
    }

    @Property
    void builtBatchesValidateAndReadBack(@ForAll("recordLists") List<Record> records) {
        RecordBatch batch = RecordBatch.view(batchOf(records));
        batch.validate();
        assertThat(batch.recordCount()).isEqualTo(records.size());
        assertThat(batch.firstTimestamp()).isEqualTo(records.stream().mapToLong(Record::timestamp).min().orElseThrow());
        assertThat(batch.maxTimestamp()).isEqualTo(records.stream().mapToLong(Record::timestamp).max().orElseThrow());
        batch.setBaseOffset(100);
        batch.setLeaderEpoch(3);
        batch.validate(); // offset and epoch are outside the CRC
        List<Record> back = new ArrayList<>();
        batch.records().forEach(back::add);
        for (int i = 0; i < records.size(); i++) {
            assertThat(back.get(i)).isEqualTo(records.get(i).withOffset(100 + i));
        }
    }

    @Property
    void anyFlippedByteInsideTheCrcIsDetected(@ForAll("recordLists") List<Record> records, @ForAll int seed) {
        ByteBuffer b = batchOf(records);
        int pos = RecordBatch.ATTRIBUTES + Math.floorMod(seed, b.limit() - RecordBatch.ATTRIBUTES);
        b.put(pos, (byte) (b.get(pos) ^ 0x5A));
        assertThat(RecordBatch.view(b).isValid()).isFalse();
    }

    @Property
    void splitFindsEveryBatch(@ForAll @Size(min = 1, max = 5) List<@Size(min = 1, max = 3) List<Integer>> shape) {
        List<ByteBuffer> batches = new ArrayList<>();
        int total = 0;
        for (List<Integer> s : shape) {
            List<Record> rs = new ArrayList<>();
            for (Integer i : s) {
                rs.add(new Record(-1, i, 0, 0, null, null, null, null, new byte[Math.floorMod(i, 50)], false));
            }
            ByteBuffer b = batchOf(rs);
            batches.add(b);
            total += b.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        batches.forEach(b -> all.put(b.duplicate()));
        all.flip();
        List<RecordBatch> split = RecordBatch.split(all);
        assertThat(split).hasSize(shape.size());
        for (int i = 0; i < shape.size(); i++) {
            assertThat(split.get(i).recordCount()).isEqualTo(shape.get(i).size());
            assertThat(split.get(i).buffer()).isEqualTo(batches.get(i));
        }
    }

    @Test
    void truncatedBatchIsRejectedBySplit() {
        ByteBuffer b = batchOf(List.of(new Record(-1, 1, 0, 0, null, null, null, null, new byte[10], false)));
        ByteBuffer cut = b.slice(0, b.limit() - 1);
        assertThatThrownBy(() -> RecordBatch.split(cut)).isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void recordCountMismatchFailsValidation() {
        ByteBuffer b = batchOf(List.of(new Record(-1, 1, 0, 0, null, null, null, null, new byte[10], false)));
        b.putInt(RecordBatch.RECORD_COUNT, 2);
        // fix the CRC so only the structural check can catch it
        RecordBatch view = RecordBatch.view(b);
        b.putInt(RecordBatch.CRC, (int) view.computeCrc());
        assertThatThrownBy(view::validate).isInstanceOf(CorruptRecordException.class);
    }
}
