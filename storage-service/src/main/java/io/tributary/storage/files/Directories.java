package io.tributary.storage.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Making directory entries durable. An fsync of a file makes its content durable, not its
 * name: a file created, renamed or deleted is only durably so once its directory is fsynced
 * too (found by the power-loss simulation: a partition's first segment, created and synced
 * with every acknowledged {@code sync} append, vanished whole after a power loss because its
 * directory entries never reached the disk). Every place the engine creates, renames or
 * deletes a file calls {@link #sync} on its directory; new directories are created with
 * {@link #create}.
 */
public final class Directories {
    private Directories() {
    }

    /** Creates {@code dir} and its missing parents, each one durably (its parent fsynced after it was made). */
    public static void create(Path dir) {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        try {
            for (Path p : missing) {
                Files.createDirectories(p);
                sync(p.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /**
     * Replaces {@code file} with {@code content} so that a crash leaves either the old file or
     * the new one, whole and durable: written to {@code <name>.tmp}, fsynced, renamed over the
     * file, the directory fsynced.
     */
    public static void replaceDurably(Path file, ByteBuffer content) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer bytes = content.duplicate();
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp, e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + file, e);
        }
        sync(file.getParent());
    }

    /** fsyncs a directory, making the creation, renaming and deletion of its entries durable. */
    public static void sync(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fsync directory " + dir, e);
        }
    }
}
