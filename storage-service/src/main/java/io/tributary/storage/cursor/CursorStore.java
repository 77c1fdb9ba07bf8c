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
import io.tributary.storage.files.FileCache;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Committed consumer positions of one partition, one per subscription: the next offset the
 * subscription will read. Stored as an append-only text file of {@code <subscription> <offset>}
 * lines, newest last; on open the last line per subscription wins, and a torn last line
 * (crash mid-write) is ignored. The file is rewritten compactly (temp file, fsync, atomic
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
    private final Map<String, Long> cursors = new HashMap<>();
    private long size;

    private CursorStore(Path file, FileCache files) {
        this.file = file;
        this.files = files;
    }

    public static CursorStore open(Path dir, FileCache files) {
        CursorStore store = new CursorStore(dir.resolve(FILE_NAME), files);
        try {
            if (!Files.exists(store.file)) {
                Files.createFile(store.file);
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
        int space = line.lastIndexOf(' ');
        if (space <= 0) {
            return;
        }
        try {
            cursors.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
        } catch (NumberFormatException ignored) {
            // a damaged line: skip it, earlier lines for the subscription still count
        }
    }

    public synchronized Optional<Long> get(String subscription) {
        return Optional.ofNullable(cursors.get(subscription));
    }

    public synchronized Map<String, Long> all() {
        return new TreeMap<>(cursors);
    }

    public synchronized void commit(String subscription, long offset) {
        if (subscription.indexOf(' ') >= 0 || subscription.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("subscription names have no spaces or newlines");
        }
        try {
            ByteBuffer line = ByteBuffer.wrap((subscription + " " + offset + "\n").getBytes(StandardCharsets.UTF_8));
            try (FileCache.Handle h = files.open(file)) {
                while (line.hasRemaining()) {
                    h.channel().write(line, size + line.position());
                }
            }
            size += line.limit();
            cursors.put(subscription, offset);
            if (size > COMPACT_BYTES) {
                compact();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public synchronized void remove(String subscription) {
        if (cursors.remove(subscription) != null) {
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
        cursors.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
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
