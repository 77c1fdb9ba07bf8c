package io.tributary.routing.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class Murmur2Test {

    /** Kafka's own vectors (clients UtilsTest.testMurmur2), plus the 1..12345 series other Kafka ports check. */
    @Test
    void matchesKafkasPublishedVectors() {
        Map<String, Integer> vectors = Map.ofEntries(
                Map.entry("21", -973932308),
                Map.entry("foobar", -790332482),
                Map.entry("a-little-bit-long-string", -985981536),
                Map.entry("a-little-bit-longer-string", -1486304829),
                Map.entry("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
                Map.entry("abc", 479470107),
                Map.entry("1", -1993445489),
                Map.entry("12", 126087238),
                Map.entry("123", -267702483),
                Map.entry("1234", -1614185708),
                Map.entry("12345", -1188365604));
        vectors.forEach((key, hash) ->
                assertThat(Murmur2.hash(key.getBytes(StandardCharsets.UTF_8))).as(key).isEqualTo(hash));
    }

    @Test
    void partitionIsThePositiveHashModuloTheCount() {
        // -973932308 & 0x7fffffff = 1173551340; 1173551340 % 12 = 0
        assertThat(Murmur2.partition("21".getBytes(StandardCharsets.UTF_8), 12)).isEqualTo(1173551340 % 12);
        assertThat(Murmur2.toPositive(Integer.MIN_VALUE)).isZero();
    }

    @Property
    void alwaysAValidPartition(@ForAll byte[] key, @ForAll @IntRange(min = 1, max = 10_000) int partitions) {
        int p = Murmur2.partition(key, partitions);
        assertThat(p).isBetween(0, partitions - 1);
        assertThat(Murmur2.partition(key.clone(), partitions)).isEqualTo(p);
    }
}
