package io.tributary.protocol.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    @Provide
    Arbitrary<Record> anyRecord() {
        return RecordArbitraries.records();
    }

    @Property
    void decodeInvertsEncode(@ForAll("anyRecord") Record record) {
        byte[] encoded = RecordCodec.encode(record);
        assertThat(RecordCodec.sizeAt(ByteBuffer.wrap(encoded), 0)).isEqualTo(encoded.length);
        assertThat(RecordCodec.decode(ByteBuffer.wrap(encoded), 7)).isEqualTo(record.withOffset(7));
    }

    @Property
    void keyAndTimestampAreReadableWithoutDecoding(@ForAll("anyRecord") Record record) {
        ByteBuffer encoded = ByteBuffer.wrap(RecordCodec.encode(record));
        assertThat(RecordCodec.readKey(encoded)).isEqualTo(record.key());
        assertThat(RecordCodec.readTimestamp(encoded)).isEqualTo(record.timestamp());
        assertThat(RecordCodec.readId(encoded)).isEqualTo(record.id());
    }

    @Property
    void truncatedRecordsNeverDecode(@ForAll("anyRecord") Record record, @ForAll int cutSeed) {
        byte[] encoded = RecordCodec.encode(record);
        int cut = Math.floorMod(cutSeed, encoded.length);
        ByteBuffer truncated = ByteBuffer.wrap(encoded, 0, cut).slice();
        assertThatThrownBy(() -> RecordCodec.decode(truncated, 0)).isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void emptyRecordHasTheDocumentedMinimumSize() {
        Record empty = new Record(-1, 1, 0, 0, null, null, null, Map.of(), new byte[0], false);
        assertThat(RecordCodec.encode(empty)).hasSize(RecordCodec.MIN_SIZE);
    }

    @Test
    void jsonFlagAndHeadersSurvive() {
        Record r = new Record(-1, 5, 0, 0, "k".getBytes(StandardCharsets.UTF_8), "TagA", "idem-1",
                Map.of("a", "b"), "{\"x\":1}".getBytes(StandardCharsets.UTF_8), true);
        Record back = RecordCodec.decode(ByteBuffer.wrap(RecordCodec.encode(r)), 0);
        assertThat(back.jsonPayload()).isTrue();
        assertThat(back.headers()).containsEntry("a", "b");
        assertThat(back.tag()).isEqualTo("TagA");
        assertThat(back.id()).isEqualTo("idem-1");
    }
}
