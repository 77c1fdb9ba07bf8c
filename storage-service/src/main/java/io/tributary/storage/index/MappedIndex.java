package io.tributary.storage.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A fixed-size-entry index file, memory-mapped (as Kafka maps its indexes): lookups are
 * memory reads without system calls, the pages live in the OS page cache rather than the
 * Java heap, and a mapping holds no file descriptor once made.
 *
 * <p>The active segment's index is preallocated to its largest possible size (a sparse file:
 * unwritten pages take no disk) and trimmed to its entries when the segment is sealed. After
 * a crash the active index's length says nothing, which is fine: the active segment is
 * always rebuilt from its log on recovery. Appends and truncation happen under the owning
 * partition's lock; reads may run concurrently and see a prefix of the entries.
 */
abstract class MappedIndex {
    protected final Path file;
    protected final int entrySize;
    protected volatile MappedByteBuffer buffer;
    protected volatile int entries;
    private final int maxEntries;

    /** Opens for appending, starting empty (the active segment; {@code entries} are re-appended by recovery). */
    protected MappedIndex(Path file, int entrySize, int maxEntries) {
        this.file = file;
        this.entrySize = entrySize;
        this.maxEntries = maxEntries;
        this.buffer = map(file, (long) maxEntries * entrySize, true);
        this.entries = 0;
    }

    /** Opens a sealed index read-only, with as many entries as the file holds. */
    protected MappedIndex(Path file, int entrySize) {
        this.file = file;
        this.entrySize = entrySize;
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (size % entrySize != 0) {
            throw new IndexCorruptException(file + ": " + size + " bytes is not a whole number of " + entrySize + "-byte entries");
        }
        this.maxEntries = (int) (size / entrySize);
        this.buffer = map(file, size, false);
        this.entries = maxEntries;
    }

    private static MappedByteBuffer map(Path file, long size, boolean writable) {
        try (FileChannel ch = writable
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ)) {
            if (writable) {
                ch.truncate(0);
                if (size > 0) {
                    // Extend to the full size without writing: a sparse file.
                    ch.write(java.nio.ByteBuffer.allocate(1), size - 1);
                }
            }
            return ch.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map index " + file, e);
        }
    }

    public int entries() {
        return entries;
    }

    public boolean isFull() {
        return entries >= maxEntries;
    }

    /** The byte position of entry {@code i}, for appending: the caller writes the entry's fields there. */
    protected int slot(int i) {
        return i * entrySize;
    }

    protected void appended() {
        entries++;
    }

    /** Drops entries from {@code count} on. */
    public void truncateTo(int count) {
        entries = Math.min(entries, Math.max(0, count));
    }

    /** Flushes dirty pages of a writable mapping to disk. */
    public void flush() {
        if (!buffer.isReadOnly()) {
            buffer.force();
        }
    }

    /** Cuts the file to its entries and remaps it read-only: the index of a sealed segment. */
    public void seal() {
        flush();
        long size = (long) entries * entrySize;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.force(true);
            MappedByteBuffer sealed = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            buffer = sealed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot seal index " + file, e);
        }
    }

    public Path file() {
        return file;
    }
}
