package io.tributary.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Consistent hashing: keys move only to a member that joins, or away from one that leaves. */
class KeyRingTest {
    @Property(tries = 200)
    void aJoinOrALeaveMovesOnlyTheKeysOfThatMember(@ForAll @IntRange(min = 1, max = 8) int members, @ForAll int seed) {
        List<String> before = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            before.add("m-ws-" + Integer.toHexString(seed * 31 + i));
        }
        List<String> after = new ArrayList<>(before);
        String joiner = "m-sse-" + Integer.toHexString(seed);
        after.add(joiner);
        KeyRing a = KeyRing.of(before);
        KeyRing b = KeyRing.of(after);
        int moved = 0;
        for (long k = 0; k < 2000; k++) {
            long key = io.tributary.storage.index.KeyHash.of(("key-" + k).getBytes());
            String was = a.owner(key);
            String is = b.owner(key);
            assertThat(before).contains(was);
            if (!was.equals(is)) {
                assertThat(is).as("a key moves only to the member that joined").isEqualTo(joiner);
                moved++;
            }
            // Reversed: the member leaves, and its keys go back where they were.
            assertThat(KeyRing.of(before).owner(key)).isEqualTo(was);
        }
        assertThat(moved).as("the joiner takes a share of the keys").isPositive();
    }

    @Test
    void keysSpreadOverTheMembers() {
        KeyRing ring = KeyRing.of(List.of("m-ws-a", "m-ws-b", "m-ws-c"));
        Map<String, Integer> count = new HashMap<>();
        for (int k = 0; k < 30_000; k++) {
            count.merge(ring.owner(io.tributary.storage.index.KeyHash.of(("order-" + k).getBytes())), 1, Integer::sum);
        }
        assertThat(count).hasSize(3);
        assertThat(count.values()).allSatisfy(n -> assertThat(n).isBetween(5_000, 15_000));
        assertThat(KeyRing.of(List.of()).owner(42)).isNull();
    }
}
