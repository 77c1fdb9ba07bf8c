package io.tributary.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The time index against a list of (timestamp, offset) entries searched linearly. */
class TimeIndexTest {

    @Property(tries = 200)
    void scanStartIsTheLastEntryBelowTheTarget(@ForAll @Size(max = 200) List<@IntRange(min = 1, max = 30) Integer> steps,
            @ForAll @IntRange(min = 0, max = 7000) int target) throws IOException {
        Path dir = Files.createTempDirectory("tidx");
        long base = 50;
        TimeIndex idx = TimeIndex.forAppend(dir.resolve("t.timeindex"), base, 300);
        List<long[]> model = new ArrayList<>();
        long ts = 0;
        long offset = base;
        for (int s : steps) {
            ts += s;
            offset += s % 7 + 1;
            idx.append(ts, offset);
            model.add(new long[] {ts, offset});
        }
        long expected = base;
        for (long[] e : model) {
            if (e[0] < target) {
                expected = e[1];
            }
        }
        assertThat(idx.scanStartFor(target)).isEqualTo(expected);
        idx.seal();
        TimeIndex sealed = TimeIndex.openSealed(dir.resolve("t.timeindex"), base, offset + 1);
        assertThat(sealed.scanStartFor(target)).isEqualTo(expected);
        assertThat(sealed.lastTimestamp()).isEqualTo(model.isEmpty() ? -1 : model.get(model.size() - 1)[0]);
    }
}
