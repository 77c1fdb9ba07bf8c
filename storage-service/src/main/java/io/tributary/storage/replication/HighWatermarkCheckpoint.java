package io.tributary.storage.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A partition replica's last known high watermark on disk (Kafka's
 * replication-offset-checkpoint), so that after a restart consumers see at once what the
 * in-sync replicas had confirmed, instead of nothing until the followers have fetched again.
 *
 * <p>File {@code high-watermark} in the partition directory: the offset in decimal, one line,
 * replaced whole (temp file, atomic rename) with the log's periodic flush and on close. Not
 * fsynced: a checkpoint lost or older than the truth only means a lower high watermark after
 * a power loss, which the in-sync replicas raise again; it can never claim more than was
 * confirmed. Read back clamped to the log end (a crash may have cut the log below it).
 */
public final class HighWatermarkCheckpoint {
    public static final String FILE_NAME = "high-watermark";

    private final Path file;
    private long written = -1;

    public HighWatermarkCheckpoint(Path dir) {
        this.file = dir.resolve(FILE_NAME);
    }

    /** The checkpointed high watermark, at most {@code logEnd}; 0 when there is none or it cannot be read. */
    public long read(long logEnd) {
        try {
            if (!Files.exists(file)) {
                return 0;
            }
            long hw = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
            written = hw;
            return Math.max(0, Math.min(hw, logEnd));
        } catch (IOException | NumberFormatException e) {
            return 0; // torn by a crash: the replicas confirm it again
        }
    }

    /** Writes {@code hw} unless it is what the file already says. */
    public synchronized void write(long hw) {
        if (hw == written || !Files.isDirectory(file.getParent())) {
            return; // unchanged, or the partition was deleted
        }
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try {
            Files.writeString(tmp, hw + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            written = hw;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
