package io.tributary.storage.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The retention decision against a direct reading of the rules, segment by segment. */
class RetentionPolicyTest {

    @Property
    void deletesTheLongestPrefixOfSealedSegmentsThatIsExpiredOrOverSize(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 5000) Integer> sizes,
            @ForAll @IntRange(min = -1, max = 20000) int retentionBytes,
            @ForAll @IntRange(min = -1, max = 100) int retentionMs,
            @ForAll @IntRange(min = 0, max = 200) int now) {
        List<RetentionPolicy.SegmentInfo> segs = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            segs.add(new RetentionPolicy.SegmentInfo(i * 100L, sizes.get(i), i * 10L)); // older segments have older records
        }
        RetentionPolicy.Decision d = RetentionPolicy.decide(segs, retentionMs, retentionBytes, now);

        // Model: walk from the oldest, deleting while either rule says so; never the active one.
        long remaining = sizes.stream().mapToLong(Integer::longValue).sum();
        int expected = 0;
        for (int i = 0; i < sizes.size() - 1; i++) {
            boolean expired = retentionMs >= 0 && i * 10L < now - retentionMs;
            boolean over = retentionBytes >= 0 && remaining - sizes.get(i) >= retentionBytes;
            if (!expired && !over) {
                break;
            }
            remaining -= sizes.get(i);
            expected++;
        }
        assertThat(d.deleteOldest()).isEqualTo(expected);
        assertThat(d.deleteOldest()).isLessThan(sizes.size());
        int last = sizes.size() - 1;
        boolean activeExpired = retentionMs >= 0 && last * 10L < now - retentionMs && sizes.get(last) > 0;
        assertThat(d.rollActive()).isEqualTo(expected == last && activeExpired);
    }
}
