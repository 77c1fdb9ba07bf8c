package io.tributary.routing.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.problem.TributaryException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionChooserTest {
    private final PartitionChooser chooser = new PartitionChooser();

    @Test
    void explicitPartitionWinsAndIsChecked() {
        PartitionChooser.Request r = chooser.forRequest("v/t", 4);
        assertThat(r.choose(3, "k".getBytes(StandardCharsets.UTF_8))).isEqualTo(3);
        assertThatThrownBy(() -> r.choose(4, null)).isInstanceOf(TributaryException.class);
    }

    @Test
    void keysHashLikeKafka() {
        PartitionChooser.Request r = chooser.forRequest("v/t", 7);
        byte[] key = "order-42".getBytes(StandardCharsets.UTF_8);
        assertThat(r.choose(-1, key)).isEqualTo(Murmur2.partition(key, 7));
    }

    @Test
    void keylessMessagesWithAnIdHashTheIdSoRetriesLandOnTheSamePartition() {
        int first = chooser.forRequest("v/t", 8).choose(-1, null, "idem-7");
        int retry = chooser.forRequest("v/t", 8).choose(-1, null, "idem-7");
        assertThat(retry).isEqualTo(first).isEqualTo(Murmur2.partition("idem-7".getBytes(StandardCharsets.UTF_8), 8));
        assertThat(chooser.forRequest("v/t", 8).choose(-1, "key".getBytes(StandardCharsets.UTF_8), "idem-7"))
                .as("a key wins over the id").isEqualTo(Murmur2.partition("key".getBytes(StandardCharsets.UTF_8), 8));
    }

    @Test
    void keylessMessagesStickWithinARequestAndRotateAcrossRequests() {
        Set<Integer> seen = new HashSet<>();
        for (int request = 0; request < 4; request++) {
            PartitionChooser.Request r = chooser.forRequest("v/t", 4);
            int first = r.choose(-1, null);
            for (int i = 0; i < 10; i++) {
                assertThat(r.choose(-1, null)).isEqualTo(first);
            }
            seen.add(first);
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void topicsRotateIndependently() {
        assertThat(chooser.forRequest("v/a", 3).choose(-1, null)).isEqualTo(0);
        assertThat(chooser.forRequest("v/b", 3).choose(-1, null)).isEqualTo(0);
        assertThat(chooser.forRequest("v/a", 3).choose(-1, null)).isEqualTo(1);
    }
}
