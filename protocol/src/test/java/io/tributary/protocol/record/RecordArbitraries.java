package io.tributary.protocol.record;

import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random records for property tests: every optional field present or absent, any bytes. */
public final class RecordArbitraries {
    private RecordArbitraries() {
    }

    public static Arbitrary<Record> records() {
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
        Arbitrary<Map<String, String>> headers = Arbitraries.maps(Arbitraries.strings().ofMinLength(1).ofMaxLength(10), text)
                .ofMaxSize(4).map(LinkedHashMap::new);
        return Combinators.combine(
                Arbitraries.longs().between(0, 4_000_000_000_000L),
                Arbitraries.longs().between(0, 4_000_000_000_000L),
                bytes.injectNull(0.3),
                text.injectNull(0.5),
                text.injectNull(0.5),
                headers,
                bytes,
                Arbitraries.of(true, false))
                .as((ts, deliverAt, key, tag, id, hdrs, payload, json) ->
                        new Record(-1, ts, deliverAt, 0, key, tag, id, hdrs, payload, json));
    }
}
