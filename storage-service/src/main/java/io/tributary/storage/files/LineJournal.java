package io.tributary.storage.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * An append-only file of text lines, newest last, that a small store replays on open to
 * rebuild its state (the cursor store, the shared-subscription ack state). A torn last line
 * (a crash mid-write) is cut off on open, so the next append does not glue onto it. The
 * owner rewrites the file compactly ({@link #rewrite}: temp file, fsync, atomic rename,
 * directory fsync) when {@link #size()} tells it the file has grown. Appends go to the page
 * cache; {@link #flush} makes them durable. Not thread-safe: the owning store synchronises.
 */
public final class LineJournal {
    private final Path file;
    private final FileCache files;
    private long size;
    /** Appends and rewrites since open: what the owning store changed (a follower compares it with its copy). */
    private long changes;
    /** A rewrite renamed the file in without syncing the directory: {@link #flush} does it. */
    private boolean renameUnsynced;

    private LineJournal(Path file, FileCache files) {
        this.file = file;
        this.files = files;
    }

    /** Opens (creating) {@code file}, handing every complete line to {@code replay} in order. */
    public static LineJournal open(Path file, FileCache files, Consumer<String> replay) {
        LineJournal j = new LineJournal(file, files);
        try {
            if (!Files.exists(file)) {
                Files.createFile(file);
                Directories.sync(file.getParent());
            }
            j.load(replay);
            j.size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
        return j;
    }

    private void load(Consumer<String> replay) throws IOException {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        int lineStart = 0;
        while (lineStart < content.length()) {
            int nl = content.indexOf('\n', lineStart);
            if (nl < 0) {
                // A torn last line: the write it belonged to never completed. Cut it off, or
                // the next append would be glued to it and both lines would be lost.
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(content.substring(0, lineStart).getBytes(StandardCharsets.UTF_8).length);
                }
                break;
            }
            replay.accept(content.substring(lineStart, nl));
            lineStart = nl + 1;
        }
    }

    /** A field of a line (a subscription name): it may hold no space and no newline. */
    public static String field(String value) {
        if (value.indexOf(' ') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("'" + value + "' has a space or a newline");
        }
        return value;
    }

    /** Appends {@code line} (no newline in it) to the page cache. */
    public void append(String line) {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        try (FileCache.Handle h = files.open(file)) {
            while (b.hasRemaining()) {
                h.channel().write(b, size + b.position());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        size += b.limit();
        changes++;
    }

    /** How often the file changed (appends and rewrites) since it was opened. */
    public long changes() {
        return changes;
    }

    /** Bytes in the file now. */
    public long size() {
        return size;
    }

    /** Replaces the whole file with {@code content} (lines, each ending in a newline), durably. */
    public void rewrite(String content) {
        rewrite(content, true);
    }

    /**
     * Replaces the whole file with {@code content}: atomically (temp file, rename), and with
     * {@code durable} also fsynced before it answers; without, the next {@link #flush} makes it
     * durable (a follower's copy of its leader's state, under the replicated flush policy:
     * the leader and the other replicas hold it meanwhile).
     */
    public void rewrite(String content, boolean durable) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    out.write(b);
                }
                if (durable) {
                    out.force(true);
                }
            }
            files.forget(file);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (durable) {
                Directories.sync(file.getParent()); // the rename itself, or a crash brings the old file back
            }
            renameUnsynced = !durable;
            size = Files.size(file);
            changes++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file, e);
        }
    }

    /** Makes every append and rewrite so far durable. */
    public void flush() {
        try (FileCache.Handle h = files.open(file)) {
            h.channel().force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (renameUnsynced) {
            Directories.sync(file.getParent());
            renameUnsynced = false;
        }
    }

    public void close() {
        files.forget(file);
    }
}
