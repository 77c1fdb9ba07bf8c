package io.tributary.storage.cursor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import io.tributary.storage.files.Directories;
import io.tributary.storage.files.FileCache;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Committed consumer positions of one partition, one {@link Cursor} per subscription: the
 * next offset the subscription will read, and the group generation that committed it. Stored
 * as an append-only text file of {@code <subscription> <offset> <generation>} lines, newest
 * last (lines written before generations existed have two fields and read as generation -1);
 * on open the last line per subscription wins, and a torn last line (crash mid-write) is
 * ignored. Commits follow {@link Cursor}'s rules (fenced by generation, never backwards);
 * {@link #seek} moves a cursor anywhere. The file is rewritten compactly (temp file, fsync, atomic
 * rename) when it grows past {@link #COMPACT_BYTES}.
 *
 * <p>The file is opened through the node's {@link FileCache}, so idle partitions hold no
 * descriptor for it. Blocks on disk: call from the disk scheduler.
 */
public final class CursorStore implements AutoCloseable {
    public static final String FILE_NAME = "cursors.log";
    static final long COMPACT_BYTES = 64 * 1024;

    private final Path file;
    private final FileCache files;
    private final Map<String, Cursor> cursors = new HashMap<>();
    private long size;
    /** Counts changes since open, so a follower can tell its copy is behind the leader's. */
    private long version;

    private CursorStore(Path file, FileCache files) {
        this.file = file;
        this.files = files;
    }

    public static CursorStore open(Path dir, FileCache files) {
        CursorStore store = new CursorStore(dir.resolve(FILE_NAME), files);
        try {
            if (!Files.exists(store.file)) {
                Files.createFile(store.file);
                Directories.sync(dir);
            }
            store.load();
            store.size = Files.size(store.file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + store.file, e);
        }
        return store;
    }

    private void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        String content = Files.readString(file, StandardCharsets.UTF_8);
        int lineStart = 0;
        while (lineStart < content.length()) {
            int nl = content.indexOf('\n', lineStart);
            if (nl < 0) {
                // A torn last line: the write it belonged to never completed. Cut it off, or
                // the next commit would be appended to it and both lines would be lost.
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(content.substring(0, lineStart).getBytes(StandardCharsets.UTF_8).length);
                }
                break;
            }
            parse(content.substring(lineStart, nl));
            lineStart = nl + 1;
        }
    }

    private void parse(String line) {
        String[] fields = line.split(" ");
        if (fields.length < 2 || fields.length > 3 || fields[0].isEmpty()) {
            return; // a damaged line: skip it, earlier lines for the subscription still count
        }
        try {
            long generation = fields.length == 3 ? Long.parseLong(fields[2]) : Cursor.UNFENCED;
            cursors.put(fields[0], new Cursor(Long.parseLong(fields[1]), generation));
        } catch (NumberFormatException ignored) {
            // as above
        }
    }

    /** The committed position of {@code subscription}. */
    public synchronized Optional<Long> get(String subscription) {
        return cursor(subscription).map(Cursor::offset);
    }

    public synchronized Optional<Cursor> cursor(String subscription) {
        return Optional.ofNullable(cursors.get(subscription));
    }

    /** How often this store changed since it was opened (a follower compares it with what it copied). */
    public synchronized long version() {
        return version;
    }

    /** Every cursor with its generation. */
    public synchronized Map<String, Cursor> cursors() {
        return new TreeMap<>(cursors);
    }

    /** Replaces every cursor with the leader's (a follower's copy): written compactly, durably. */
    public synchronized void replaceAll(Map<String, Cursor> leaders) {
        cursors.clear();
        cursors.putAll(leaders);
        version++;
        try {
            compact();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized Map<String, Long> all() {
        Map<String, Long> all = new TreeMap<>();
        cursors.forEach((k, v) -> all.put(k, v.offset()));
        return all;
    }

    /**
     * Commits {@code offset} for {@code subscription} in group generation {@code generation}
     * ({@link Cursor#UNFENCED} for none); returns the cursor as it now is. Throws
     * {@code fenced} for a stale generation; a commit below the position changes nothing.
     */
    public synchronized Cursor commit(String subscription, long offset, long generation) {
        Cursor now = cursors.get(subscription);
        Cursor next = now == null ? Cursor.first(offset, generation) : now.commit(offset, generation);
        if (!next.equals(now)) {
            write(subscription, next);
        }
        return next;
    }

    /** A commit outside any group generation: moves the cursor only forward. */
    public Cursor commit(String subscription, long offset) {
        return commit(subscription, offset, Cursor.UNFENCED);
    }

    /** Moves the cursor to {@code offset}, backwards too (an explicit seek, or pinning a new subscription's start). */
    public synchronized Cursor seek(String subscription, long offset) {
        Cursor now = cursors.get(subscription);
        Cursor next = new Cursor(offset, now == null ? Cursor.UNFENCED : now.generation());
        write(subscription, next);
        return next;
    }

    private void write(String subscription, Cursor cursor) {
        if (subscription.indexOf(' ') >= 0 || subscription.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("subscription names have no spaces or newlines");
        }
        try {
            ByteBuffer line = ByteBuffer.wrap((subscription + " " + cursor.offset() + " " + cursor.generation() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            try (FileCache.Handle h = files.open(file)) {
                while (line.hasRemaining()) {
                    h.channel().write(line, size + line.position());
                }
            }
            size += line.limit();
            cursors.put(subscription, cursor);
            version++;
            if (size > COMPACT_BYTES) {
                compact();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Removes {@code subscription}'s cursor and those of its named consumers
     * ({@code <subscription>~...}, as the gateway names a broadcast consumer's cursor).
     */
    public synchronized void removeWithConsumers(String subscription) {
        String consumers = subscription + "~";
        if (cursors.keySet().removeIf(k -> k.equals(subscription) || k.startsWith(consumers))) {
            version++;
            try {
                compact();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public synchronized void remove(String subscription) {
        if (cursors.remove(subscription) != null) {
            version++;
            try {
                compact();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void compact() throws IOException {
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        StringBuilder sb = new StringBuilder();
        cursors.forEach((k, v) -> sb.append(k).append(' ').append(v.offset()).append(' ').append(v.generation()).append('\n'));
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.force(true);
        }
        files.forget(file);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Directories.sync(file.getParent()); // the rename itself, or a crash brings the old file back
        size = Files.size(file);
    }

    public synchronized void flush() {
        try (FileCache.Handle h = files.open(file)) {
            h.channel().force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        files.forget(file);
    }
}
