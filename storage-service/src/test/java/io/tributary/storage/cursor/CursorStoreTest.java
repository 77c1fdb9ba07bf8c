package io.tributary.storage.cursor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CursorStoreTest {
    @TempDir
    Path dir;
    final io.tributary.storage.files.FileCache files = new io.tributary.storage.files.FileCache(4);

    @org.junit.jupiter.api.AfterEach
    void closeFiles() {
        files.close();
    }

    @Property(tries = 50)
    void reopeningGivesTheLastCommitOfEverySubscription(
            @ForAll @Size(max = 3000) List<@IntRange(min = 0, max = 4) Integer> subs) throws IOException {
        Path d = Files.createTempDirectory("cursors"); // jqwik properties get no @TempDir
        Map<String, Long> model = new HashMap<>();
        try (CursorStore store = CursorStore.open(d, files)) {
            long offset = 0;
            for (int s : subs) {
                store.commit("sub" + s, offset);
                model.put("sub" + s, offset);
                offset += 7;
            }
        }
        try (CursorStore store = CursorStore.open(d, files)) {
            assertThat(store.all()).isEqualTo(new java.util.TreeMap<>(model));
        }
    }

    @Test
    void aTornLastLineIsIgnored() throws IOException {
        try (CursorStore store = CursorStore.open(dir, files)) {
            store.commit("a", 5);
            store.commit("a", 9);
        }
        Files.writeString(dir.resolve(CursorStore.FILE_NAME), "a 12", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (CursorStore store = CursorStore.open(dir, files)) {
            assertThat(store.get("a")).contains(9L);
            store.commit("a", 13);
        }
        try (CursorStore store = CursorStore.open(dir, files)) {
            assertThat(store.get("a")).contains(13L);
        }
    }

    @Test
    void compactsWhenItGrows() throws IOException {
        try (CursorStore store = CursorStore.open(dir, files)) {
            for (int i = 0; i < 20_000; i++) {
                store.commit("s" + (i % 3), i);
            }
        }
        assertThat(Files.size(dir.resolve(CursorStore.FILE_NAME))).isLessThan(CursorStore.COMPACT_BYTES + 100);
        try (CursorStore store = CursorStore.open(dir, files)) {
            assertThat(store.all()).containsEntry("s0", 19_998L).containsEntry("s1", 19_999L).containsEntry("s2", 19_997L);
        }
    }
}
