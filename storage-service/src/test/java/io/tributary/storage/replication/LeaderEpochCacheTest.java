package io.tributary.storage.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The epoch cache against a model: a list of (epoch, first offset) built from a log written by successive leaders. */
class LeaderEpochCacheTest {
    /** Each step: a new leader (epoch +gap) that wrote {@code records} records (0 = none). */
    @Property(tries = 200)
    void endOffsetsMatchALogWrittenBySuccessiveLeaders(@ForAll @Size(min = 1, max = 15) List<@IntRange(min = 0, max = 20) Integer> writes,
            @ForAll @Size(min = 15, max = 15) List<@IntRange(min = 1, max = 3) Integer> gaps,
            @ForAll @IntRange(min = 0, max = 60) int askSeed, @ForAll @IntRange(min = 0, max = 400) int cutSeed) throws Exception {
        Path dir = Files.createTempDirectory("epochs");
        LeaderEpochCache cache = LeaderEpochCache.open(dir);
        List<int[]> model = new ArrayList<>(); // epoch, start, end of every epoch that wrote something
        int epoch = 0;
        long end = 0;
        for (int i = 0; i < writes.size(); i++) {
            epoch += gaps.get(i);
            cache.assign(epoch, end);
            if (writes.get(i) > 0) {
                model.add(new int[] {epoch, (int) end, (int) end + writes.get(i)});
                end += writes.get(i);
            }
        }
        assertThat(cache.latestEpoch()).isEqualTo(epoch);
        int ask = askSeed % (epoch + 2);
        LeaderEpochCache.EpochEnd answer = cache.endOffsetFor(ask, end);
        // the model: the largest epoch <= ask that wrote something (or the latest, which may be empty)
        if (ask >= epoch) {
            assertThat(answer.endOffset()).isEqualTo(end);
        } else {
            int[] best = null;
            for (int[] m : model) {
                if (m[0] <= ask) {
                    best = m;
                }
            }
            long expectedEnd = best == null ? (model.isEmpty() ? end : model.get(0)[1]) : best[2];
            assertThat(answer.endOffset()).as("end of epoch %d", ask).isEqualTo(expectedEnd);
        }
        // it survives a reopen, and cutting the log drops the epochs that started past the cut
        assertThat(LeaderEpochCache.open(dir).entries()).isEqualTo(cache.entries());
        long cut = cutSeed % (end + 1);
        cache.truncateFromEnd(cut);
        assertThat(LeaderEpochCache.open(dir).entries()).allSatisfy(e -> assertThat(e.startOffset()).isLessThan(cut));
    }
}
