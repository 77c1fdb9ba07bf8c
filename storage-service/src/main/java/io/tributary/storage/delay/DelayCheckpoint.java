package io.tributary.storage.delay;

import io.tributary.storage.files.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A {@link DelayIndex} on disk, so a restart reads the log only from where the checkpoint was
 * taken instead of from its start. File {@code delays.checkpoint} in the partition directory,
 * big-endian:
 *
 * <pre>
 * int32  magic       0x54444C59 ("TDLY")
 * int32  version     1
 * int64  validUpTo   the log end offset the entries were derived from (a batch boundary)
 * int32  count
 *   int64 offset, int64 deliverAt      (count times, offset ascending)
 * int32  crc         CRC32C of every byte before it
 * </pre>
 *
 * Replaced whole: written to a temp file, fsynced, renamed over the old one, directory fsynced.
 * It is derived data: a missing, torn or corrupt file, or one taken past where the log now
 * ends, is ignored and the index is rebuilt from the whole log.
 */
public final class DelayCheckpoint {
    static final String FILE_NAME = "delays.checkpoint";
    private static final int MAGIC = 0x54444C59;
    private static final int VERSION = 1;
    private static final int FIXED = 4 + 4 + 8 + 4 + 4;

    /**
     * The entries as of {@code validUpTo}: {@code offsets[i]} is due at {@code deliverAts[i]};
     * {@code changes} is the index's change count it was taken at (not written).
     */
    public record Snapshot(long validUpTo, long[] offsets, long[] deliverAts, long changes) {
    }

    private final Path file;

    DelayCheckpoint(Path dir) {
        this.file = dir.resolve(FILE_NAME);
    }

    /** The checkpoint, or null when there is none or it does not check. */
    Snapshot read() {
        byte[] bytes;
        try {
            if (!Files.exists(file)) {
                return null;
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
        if (bytes.length < FIXED) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if (b.getInt(bytes.length - 4) != (int) crc.getValue() || b.getInt() != MAGIC || b.getInt() != VERSION) {
            return null;
        }
        long validUpTo = b.getLong();
        int count = b.getInt();
        if (count < 0 || (long) count * 16 != bytes.length - FIXED) {
            return null;
        }
        long[] offsets = new long[count];
        long[] deliverAts = new long[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = b.getLong();
            deliverAts[i] = b.getLong();
        }
        return new Snapshot(validUpTo, offsets, deliverAts, 0);
    }

    boolean exists() {
        return Files.exists(file);
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
            Directories.sync(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    void write(Snapshot s) {
        if (!Files.isDirectory(file.getParent())) {
            return; // the partition was deleted
        }
        int count = s.offsets().length;
        ByteBuffer b = ByteBuffer.allocate(FIXED + count * 16);
        b.putInt(MAGIC).putInt(VERSION).putLong(s.validUpTo()).putInt(count);
        for (int i = 0; i < count; i++) {
            b.putLong(s.offsets()[i]).putLong(s.deliverAts()[i]);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).flip();
        Directories.replaceDurably(file, b);
    }
}
