package io.tributary.storage.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** A filtered read against a model: the (offset, tag, payload) of every record at or after the start whose tag matches. */
class TagFilteredReadTest {
    /** Tags drawn from these; "Aa" and "BB" share a hash code; null is an untagged record. */
    private static final String[] TAGS = {"TagA", "TagB", "TagC", "Aa", "BB", null};
    private static final String[] FILTERS = {"*", "TagA || TagB", "BB", "Aa", "TagC", "TagA || Aa || TagC", "nothing"};

    record Expected(long offset, String tag, String payload) {
    }

    @Property(tries = 300)
    void keepsExactlyTheMatchingRecordsWithTheirOffsets(
            @ForAll @Size(min = 1, max = 8) List<@Size(min = 1, max = 6) List<@IntRange(min = 0, max = 5) Integer>> batches,
            @ForAll @IntRange(min = 0, max = 6) int filterIndex, @ForAll @IntRange(min = 0, max = 40) int fromSeed,
            @ForAll @IntRange(min = 0, max = 50) int baseSeed, @ForAll @IntRange(min = 1, max = 9) int epoch) {
        TagFilter filter = TagFilter.parse(FILTERS[filterIndex]);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Expected> all = new ArrayList<>();
        long offset = baseSeed;
        for (List<Integer> batch : batches) {
            RecordBatchBuilder b = new RecordBatchBuilder();
            long base = offset;
            for (int tagIndex : batch) {
                String payload = "p" + offset;
                b.add(RecordCodec.encode(new Record(-1, 1000 + offset, 0, 0, null, TAGS[tagIndex], null, Map.of(),
                        payload.getBytes(StandardCharsets.UTF_8), false)));
                all.add(new Expected(offset++, TAGS[tagIndex], payload));
            }
            RecordBatch built = RecordBatch.view(b.build());
            built.setBaseOffset(base);
            built.setLeaderEpoch(epoch);
            ByteBuffer bytes = built.buffer();
            log.write(bytes.array(), bytes.arrayOffset(), bytes.remaining());
        }
        long from = baseSeed + fromSeed % (offset - baseSeed);

        TagFilteredRead read = TagFilteredRead.of(ByteBuffer.wrap(log.toByteArray()), filter, from);

        List<Expected> expected = all.stream().filter(e -> e.offset() >= from && filter.matches(e.tag())).toList();
        List<Expected> got = new ArrayList<>();
        for (RecordBatch b : RecordBatch.split(read.batches())) {
            assertThat(b.isValid()).as("CRC of a re-packed batch").isTrue();
            assertThat(b.leaderEpoch()).isEqualTo(epoch);
            for (Record r : b.records()) {
                got.add(new Expected(r.offset(), r.tag(), new String(r.payload(), StandardCharsets.UTF_8)));
            }
        }
        assertThat(got).isEqualTo(expected);
        assertThat(read.nextOffset()).as("past everything looked at").isEqualTo(offset);
    }
}
