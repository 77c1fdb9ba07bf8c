package io.tributary.storage.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The offset index against a TreeMap of offset to position. */
class OffsetIndexTest {

    @Property(tries = 200)
    void floorLookupsMatchATreeMap(@ForAll @Size(max = 300) List<@IntRange(min = 1, max = 50) Integer> gaps,
            @ForAll @IntRange(min = 0, max = 20_000) int probe, @ForAll @IntRange(min = 0, max = 200_000) int limit) throws IOException {
        Path dir = Files.createTempDirectory("oidx");
        long base = 1000;
        OffsetIndex idx = OffsetIndex.forAppend(dir.resolve("i.index"), base, 400);
        TreeMap<Long, Long> model = new TreeMap<>();
        long offset = base;
        long position = 0;
        for (int g : gaps) {
            offset += g;
            position += g * 37L;
            idx.append(offset, position);
            model.put(offset, position);
        }
        long target = base + probe;
        Map.Entry<Long, Long> expected = model.headMap(target, true).entrySet().stream()
                .filter(e -> e.getValue() < limit).reduce((a, b) -> b).orElse(null);
        assertThat(idx.floorPosition(target, limit)).isEqualTo(expected == null ? 0 : expected.getValue());

        idx.seal();
        OffsetIndex reopened = OffsetIndex.openSealed(dir.resolve("i.index"), base, Long.MAX_VALUE);
        assertThat(reopened.entries()).isEqualTo(model.size());
        assertThat(reopened.floorPosition(target, limit)).isEqualTo(expected == null ? 0 : expected.getValue());
    }

    @Test
    void truncationDropsEntriesAtOrAfterAnOffset() throws IOException {
        Path dir = Files.createTempDirectory("oidx");
        OffsetIndex idx = OffsetIndex.forAppend(dir.resolve("i.index"), 0, 10);
        idx.append(10, 100);
        idx.append(20, 200);
        idx.append(30, 300);
        idx.truncateFrom(20);
        assertThat(idx.entries()).isEqualTo(1);
        assertThat(idx.floorPosition(25, Long.MAX_VALUE)).isEqualTo(100);
        idx.append(21, 210);
        assertThat(idx.floorPosition(25, Long.MAX_VALUE)).isEqualTo(210);
    }

    @Test
    void refusesEntriesThatDoNotGrow() throws IOException {
        OffsetIndex idx = OffsetIndex.forAppend(Files.createTempDirectory("oidx").resolve("i.index"), 0, 10);
        idx.append(10, 100);
        assertThatThrownBy(() -> idx.append(10, 200)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> idx.append(11, 100)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void damagedSealedIndexesAreDetected() throws IOException {
        Path dir = Files.createTempDirectory("oidx");
        Files.write(dir.resolve("odd.index"), new byte[13]);
        assertThatThrownBy(() -> OffsetIndex.openSealed(dir.resolve("odd.index"), 0, 1000)).isInstanceOf(IndexCorruptException.class);
        OffsetIndex idx = OffsetIndex.forAppend(dir.resolve("past.index"), 0, 10);
        idx.append(5, 900);
        idx.seal();
        assertThatThrownBy(() -> OffsetIndex.openSealed(dir.resolve("past.index"), 0, 500)).isInstanceOf(IndexCorruptException.class);
        // out of order: write two entries by hand
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putInt(9).putInt(50).putInt(3).putInt(60).flip();
        Files.write(dir.resolve("order.index"), b.array());
        assertThatThrownBy(() -> OffsetIndex.openSealed(dir.resolve("order.index"), 0, 1000)).isInstanceOf(IndexCorruptException.class);
    }
}
