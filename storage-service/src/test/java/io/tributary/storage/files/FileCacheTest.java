package io.tributary.storage.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCacheTest {
    @TempDir
    Path dir;

    @Test
    void keepsAtMostMaxOpenIdleChannels() throws IOException {
        try (FileCache cache = new FileCache(3)) {
            for (int i = 0; i < 10; i++) {
                Path f = Files.createFile(dir.resolve("f" + i));
                try (FileCache.Handle h = cache.open(f)) {
                    h.channel().write(ByteBuffer.wrap(new byte[] {(byte) i}), 0);
                }
            }
            assertThat(cache.openCount()).isEqualTo(3);
            try (FileCache.Handle h = cache.open(dir.resolve("f0"))) { // evicted earlier: reopened
                ByteBuffer b = ByteBuffer.allocate(1);
                h.channel().read(b, 0);
                assertThat(b.get(0)).isZero();
            }
        }
    }

    @Test
    void aChannelClosedUnderItIsReopened() throws IOException {
        try (FileCache cache = new FileCache(4)) {
            Path f = Files.createFile(dir.resolve("closed"));
            try (FileCache.Handle h = cache.open(f)) {
                h.channel().close(); // what an interrupted I/O does to a channel
            }
            try (FileCache.Handle h = cache.open(f)) {
                assertThat(h.channel().isOpen()).isTrue();
                h.channel().write(ByteBuffer.wrap(new byte[] {7}), 0);
            }
        }
    }

    @Test
    void neverClosesAChannelInUse() throws IOException {
        try (FileCache cache = new FileCache(1)) {
            Path a = Files.createFile(dir.resolve("a"));
            Path b = Files.createFile(dir.resolve("b"));
            FileCache.Handle ha = cache.open(a);
            FileCache.Handle hb = cache.open(b); // over the limit, but a is in use
            assertThat(ha.channel().isOpen()).isTrue();
            cache.forget(a); // deleted while in use: closed at its last release
            assertThat(ha.channel().isOpen()).isTrue();
            ha.close();
            assertThat(ha.channel().isOpen()).isFalse();
            hb.close();
        }
    }
}
