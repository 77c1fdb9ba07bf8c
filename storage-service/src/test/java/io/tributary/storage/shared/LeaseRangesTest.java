package io.tributary.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** LeaseRanges against the simplest model: a map from every offset to its lease. */
class LeaseRangesTest {
    private static final int SPACE = 60;

    /** One operation: put [from, from+len) with lease number lease (0-2), or remove it (lease -1). */
    @Property(tries = 300)
    void behavesLikeAMapOfOffsets(@ForAll @Size(max = 60) List<@IntRange(min = 0, max = SPACE) Integer> froms,
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 12) Integer> lengths,
            @ForAll @Size(max = 60) List<@IntRange(min = -1, max = 2) Integer> leases) {
        LeaseRanges ranges = new LeaseRanges();
        Map<Long, Lease> model = new HashMap<>();
        int n = Math.min(froms.size(), Math.min(lengths.size(), leases.size()));
        for (int i = 0; i < n; i++) {
            long from = froms.get(i);
            long to = from + lengths.get(i);
            if (leases.get(i) < 0) {
                ranges.remove(from, to);
                for (long o = from; o < to; o++) {
                    model.remove(o);
                }
            } else {
                Lease l = Lease.delivered(leases.get(i) + 1, 1000L * leases.get(i));
                ranges.put(from, to, l);
                for (long o = from; o < to; o++) {
                    model.put(o, l);
                }
            }
        }
        for (long o = 0; o < SPACE + 13; o++) {
            assertThat(ranges.get(o)).as("offset %d", o).isEqualTo(model.get(o));
        }
        assertThat(ranges.count()).isEqualTo(model.size());
        assertThat(ranges.firstOr(-1)).isEqualTo(model.keySet().stream().mapToLong(Long::longValue).min().orElse(-1));
        LeaseRanges.Span previous = null;
        for (LeaseRanges.Span s : ranges.all()) {
            assertThat(s.to()).isGreaterThan(s.from());
            if (previous != null) {
                assertThat(s.from()).isGreaterThanOrEqualTo(previous.to());
                // neighbours with equal leases are merged
                assertThat(s.from() == previous.to() && s.lease().equals(previous.lease())).isFalse();
            }
            previous = s;
        }
    }

    @Test
    void withinClipsToTheAskedRange() {
        LeaseRanges ranges = new LeaseRanges();
        ranges.put(10, 20, Lease.delivered(1, 5));
        ranges.put(25, 30, Lease.delivered(2, 5));
        assertThat(ranges.within(15, 27)).containsExactly(new LeaseRanges.Span(15, 20, Lease.delivered(1, 5)),
                new LeaseRanges.Span(25, 27, Lease.delivered(2, 5)));
        assertThat(ranges.within(20, 25)).isEmpty();
    }

    @Test
    void aMillionUnackedMessagesInBatchesAreAFewThousandRanges() {
        LeaseRanges ranges = new LeaseRanges();
        for (int batch = 0; batch < 10_000; batch++) {
            ranges.put(batch * 100L, batch * 100L + 100, Lease.delivered(1, batch / 10)); // ten claims share a deadline
        }
        assertThat(ranges.count()).isEqualTo(1_000_000);
        assertThat(ranges.spans()).isEqualTo(1_000);
    }
}
