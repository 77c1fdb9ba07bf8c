package io.tributary.protocol.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.record.CorruptRecordException;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordArbitraries;
import io.tributary.protocol.record.RecordCodec;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PublishRequestCodecTest {

    @Provide
    Arbitrary<List<PublishEntry>> entries() {
        Arbitrary<PublishEntry> entry = Combinators.combine(
                Arbitraries.integers().between(-1, 100),
                Arbitraries.strings().ofMaxLength(30).injectNull(0.5),
                RecordArbitraries.records())
                .as((p, rk, r) -> new PublishEntry(p, rk, ByteBuffer.wrap(RecordCodec.encode(r))));
        return entry.list().ofMaxSize(10);
    }

    @Property
    void roundTrips(@ForAll("entries") List<PublishEntry> entries) {
        List<PublishEntry> back = PublishRequestCodec.decode(PublishRequestCodec.encode(entries));
        assertThat(back).hasSize(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            assertThat(back.get(i).partition()).isEqualTo(entries.get(i).partition());
            assertThat(back.get(i).routingKey()).isEqualTo(entries.get(i).routingKey());
            assertThat(back.get(i).record()).isEqualTo(entries.get(i).record());
            Record r = RecordCodec.decode(back.get(i).record(), 0);
            assertThat(r).isEqualTo(RecordCodec.decode(entries.get(i).record(), 0));
        }
    }

    @Property
    void truncatedBodiesAreRejected(@ForAll("entries") List<PublishEntry> entries, @ForAll int seed) {
        ByteBuffer body = PublishRequestCodec.encode(entries);
        if (body.limit() <= 4) {
            return;
        }
        int cut = 4 + Math.floorMod(seed, body.limit() - 4);
        if (cut == body.limit()) {
            return;
        }
        ByteBuffer truncated = body.slice(0, cut);
        assertThatThrownBy(() -> PublishRequestCodec.decode(truncated)).isInstanceOf(CorruptRecordException.class);
    }
}
