package io.tributary.storage.partition;

import io.tributary.storage.StorageProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.springframework.stereotype.Component;

/**
 * The file {@code .clean-shutdown} in the data directory: written (and fsynced) as the last
 * step of a graceful stop, after every log was flushed and closed, and removed at start. A
 * node that starts without it crashed last time (kill -9, power loss), so the unflushed tail
 * of its logs may be gone; it says so in its node lease ({@code cleanStart: false}) and the
 * controller does not let it lead until it has caught up again.
 */
@Component
public class CleanShutdownMarker {
    static final String FILE = ".clean-shutdown";
    private final Path marker;
    private final boolean cleanStart;

    public CleanShutdownMarker(StorageProperties props) {
        this.marker = props.dataDir().resolve(FILE);
        try {
            this.cleanStart = Files.deleteIfExists(marker) || isFirstStart(marker.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A data directory with nothing in it yet has lost nothing. */
    private static boolean isFirstStart(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    public boolean cleanStart() {
        return cleanStart;
    }

    /** Called once every log is flushed and closed. */
    public void markClean() {
        try {
            Files.createDirectories(marker.getParent());
            try (FileChannel ch = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
