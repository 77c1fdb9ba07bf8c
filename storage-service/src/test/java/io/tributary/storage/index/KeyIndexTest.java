package io.tributary.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.storage.files.FileCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The key index against a map from hash to offsets, before and after sealing. */
class KeyIndexTest {

    @Property
    void hashingInPlaceEqualsHashingACopy(@ForAll byte[] key, @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 7) int pad) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(pad + key.length + 3);
        b.position(pad);
        b.put(key);
        assertThat(KeyHash.of(b, pad, key.length)).isEqualTo(KeyHash.of(key));
    }

    @Property(tries = 100)
    void lookupsReturnEveryOffsetOfAHashNewestFirst(@ForAll @Size(max = 500) List<@IntRange(min = 0, max = 20) Integer> keys,
            @ForAll @IntRange(min = 0, max = 20) int probe) throws IOException {
        Path dir = Files.createTempDirectory("kidx");
        long base = 100;
        try (FileCache files = new FileCache(4)) {
            KeyIndex idx = KeyIndex.forAppend(dir.resolve("k.keys"), dir.resolve("k.keyindex"), base, files);
            Map<Long, List<Long>> model = new HashMap<>();
            long offset = base;
            for (int k : keys) {
                long hash = KeyHash.of(("key-" + k).getBytes());
                idx.append(hash, offset);
                model.computeIfAbsent(hash, h -> new ArrayList<>()).add(0, offset);
                offset++;
            }
            long probeHash = KeyHash.of(("key-" + probe).getBytes());
            List<Long> expected = model.getOrDefault(probeHash, List.of());
            assertThat(idx.offsetsFor(probeHash)).isEqualTo(expected);
            idx.seal();
            assertThat(Files.exists(dir.resolve("k.keys"))).isFalse();
            assertThat(idx.offsetsFor(probeHash)).isEqualTo(expected);
            KeyIndex reopened = KeyIndex.openSealed(dir.resolve("k.keys"), dir.resolve("k.keyindex"), base, offset, files);
            assertThat(reopened.offsetsFor(probeHash)).isEqualTo(expected);
        }
    }
}
