package io.tributary.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.shared.ClaimedRange;
import io.tributary.protocol.shared.ClaimedRange.Fate;
import io.tributary.storage.files.FileCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedStoreTest {
    @TempDir
    Path dir;
    final FileCache files = new FileCache(4);

    @AfterEach
    void closeFiles() {
        files.close();
    }

    /**
     * Random claims, acks, nacks and seeks on two subscriptions: reopening the journal (and a
     * follower's copy of a snapshot) gives exactly the state the live store had.
     */
    @Property(tries = 60)
    void recoveryAndFollowerCopiesEqualTheLiveState(@ForAll @Size(max = 400) List<@IntRange(min = 0, max = 99) Integer> ops)
            throws IOException {
        Path d = Files.createTempDirectory("shared");
        Map<String, SharedStore.StateView> live;
        try (SharedStore store = SharedStore.open(d, files)) {
            long[] next = {0, 0};
            for (int op : ops) {
                int s = op % 2;
                String sub = "s" + s;
                store.stateStartingAt(sub, 0);
                long dispatched = store.state(sub).orElseThrow().dispatched();
                switch ((op / 2) % 5) {
                    case 0, 1 -> {
                        long n = 1 + op % 7;
                        store.leased(sub, List.of(new ClaimedRange(dispatched, dispatched + n, 1, Fate.DELIVER)),
                                dispatched + n + op % 3, op * 1000L);
                    }
                    case 2 -> {
                        if (dispatched > 0) {
                            store.ack(sub, List.of((long) (op * 31 % dispatched), dispatched - 1));
                        }
                    }
                    case 3 -> {
                        if (dispatched > 0) {
                            store.nack(sub, List.of((long) (op * 17 % dispatched)), op % 3 != 0, op % 2 == 0, true);
                        }
                    }
                    default -> {
                        if (op % 11 == 0) {
                            store.seek(sub, next[s] = dispatched / 2);
                        }
                    }
                }
            }
            live = store.snapshot();
        }
        try (SharedStore reopened = SharedStore.open(d, files)) {
            assertThat(reopened.snapshot()).isEqualTo(live);
        }
        Path copy = Files.createTempDirectory("follower");
        try (SharedStore follower = SharedStore.open(copy, files)) {
            follower.replaceAll(live);
            assertThat(follower.snapshot()).isEqualTo(live);
        }
        try (SharedStore follower = SharedStore.open(copy, files)) {
            assertThat(follower.snapshot()).isEqualTo(live);
        }
    }

    @Test
    void theFloorIsTheLowestUnackedOffset() {
        try (SharedStore store = SharedStore.open(dir, files)) {
            store.stateStartingAt("s", 10);
            store.leased("s", List.of(new ClaimedRange(10, 20, 1, Fate.DELIVER)), 25, 1000);
            assertThat(store.state("s").orElseThrow().floor()).isEqualTo(10);
            assertThat(store.ack("s", List.of(12L, 10L, 11L))).isEqualTo(13);
            assertThat(store.ack("s", List.of(10L))).as("a retried ack").isEqualTo(13);
            assertThat(store.ack("s", List.of(13L, 14L, 15L, 16L, 17L, 18L, 19L)))
                    .as("20 to 24 were skipped by the claim (a filter), so they count as settled").isEqualTo(25);
        }
    }

    @Test
    void anAckOfAnOffsetNeverDeliveredIsRefusedWhole() {
        try (SharedStore store = SharedStore.open(dir, files)) {
            store.stateStartingAt("s", 0);
            store.leased("s", List.of(new ClaimedRange(0, 5, 1, Fate.DELIVER)), 5, 1000);
            assertThatThrownBy(() -> store.ack("s", List.of(1L, 5L))).isInstanceOf(TributaryException.class)
                    .hasMessageContaining("[5]");
            assertThat(store.state("s").orElseThrow().unacked()).as("offset 1 was not acked either").isEqualTo(5);
        }
    }

    @Test
    void aNackRequeuesWithItsDeliveryCountOrRejects() {
        try (SharedStore store = SharedStore.open(dir, files)) {
            store.stateStartingAt("s", 0);
            store.leased("s", List.of(new ClaimedRange(0, 4, 3, Fate.DELIVER)), 4, 99_000);
            store.nack("s", List.of(0L), true, false, true);
            store.nack("s", List.of(1L), true, true, true);
            store.nack("s", List.of(2L), false, false, true);
            store.nack("s", List.of(3L), false, false, false);
            SharedState s = store.state("s").orElseThrow();
            assertThat(s.leaseOf(0)).isEqualTo(new Lease(3, 0, Fate.DELIVER));
            assertThat(s.leaseOf(1)).as("undelivered: the claim never reached a consumer").isEqualTo(new Lease(2, 0, Fate.DELIVER));
            assertThat(s.leaseOf(2)).isEqualTo(new Lease(3, 0, Fate.REJECTED));
            assertThat(s.leaseOf(3)).as("rejected without a dead letter topic: dropped").isNull();
            assertThat(s.due(1, 10)).as("offsets 0, 1 and 2 are due, each with its own lease").extracting(LeaseRanges.Span::from)
                    .containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void aTornLastLineIsCutOff() throws IOException {
        try (SharedStore store = SharedStore.open(dir, files)) {
            store.stateStartingAt("s", 0);
            store.leased("s", List.of(new ClaimedRange(0, 5, 1, Fate.DELIVER)), 5, 1000);
        }
        Files.writeString(dir.resolve(SharedStore.FILE_NAME), "s S 0", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (SharedStore store = SharedStore.open(dir, files)) {
            assertThat(store.state("s").orElseThrow().unacked()).isEqualTo(5);
            store.ack("s", new ArrayList<>(List.of(4L)));
        }
        try (SharedStore store = SharedStore.open(dir, files)) {
            assertThat(store.state("s").orElseThrow().unacked()).isEqualTo(4);
        }
    }
}
