package io.tributary.storage.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DedupWindowTest {
    @Test
    void remembersIdsWithinTheWindowOnly() {
        DedupWindow w = new DedupWindow(1000, 100);
        w.record("a", 5, 10_000);
        w.record("b", 6, 10_500);
        assertThat(w.lookup("a", 10_900)).isEqualTo(5);
        assertThat(w.lookup("a", 11_001)).isNull();
        assertThat(w.lookup("b", 11_001)).isEqualTo(6);
        assertThat(w.lookup("c", 11_001)).isNull();
    }

    @Test
    void boundedByCountOldestFirst() {
        DedupWindow w = new DedupWindow(1_000_000, 3);
        for (int i = 0; i < 5; i++) {
            w.record("id" + i, i, 1000 + i);
        }
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.lookup("id0", 1010)).isNull();
        assertThat(w.lookup("id1", 1010)).isNull();
        assertThat(w.lookup("id4", 1010)).isEqualTo(4);
    }
}
