package io.tributary.storage.index;

import io.tributary.storage.files.Directories;
import io.tributary.storage.files.FileCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-segment key index, in the spirit of RocketMQ's index service: entries
 * (int64 {@link KeyHash}, int32 offset - base) for every keyed record, so that finding the
 * messages of a key reads a few index entries per segment instead of scanning the log.
 *
 * <p>While the segment is active, entries are appended in offset order to {@code .keys}
 * (lookups scan that file). Sealing sorts them by (hash, offset) into {@code .keyindex},
 * where a lookup is a binary search. Both files go through the {@link FileCache}.
 */
public final class KeyIndex {
    static final int ENTRY = 12;

    private final Path activeFile;
    private final Path sealedFile;
    private final long baseOffset;
    private final FileCache files;
    private volatile boolean sealed;
    private long appendPosition;

    private KeyIndex(Path activeFile, Path sealedFile, long baseOffset, FileCache files, boolean sealed, long appendPosition) {
        this.activeFile = activeFile;
        this.sealedFile = sealedFile;
        this.baseOffset = baseOffset;
        this.files = files;
        this.sealed = sealed;
        this.appendPosition = appendPosition;
    }

    /** A fresh, empty index for the active segment (recovery re-appends its entries). */
    public static KeyIndex forAppend(Path activeFile, Path sealedFile, long baseOffset, FileCache files) {
        try {
            files.forget(activeFile);
            Files.deleteIfExists(sealedFile);
            Files.write(activeFile, new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KeyIndex(activeFile, sealedFile, baseOffset, files, false, 0);
    }

    /** The sealed index of a segment; throws {@link IndexCorruptException} if it is missing or malformed. */
    public static KeyIndex openSealed(Path activeFile, Path sealedFile, long baseOffset, long nextOffset, FileCache files) {
        long size;
        try {
            size = Files.size(sealedFile);
        } catch (IOException e) {
            throw new IndexCorruptException(sealedFile + " is missing");
        }
        if (size % ENTRY != 0) {
            throw new IndexCorruptException(sealedFile + ": " + size + " bytes is not a whole number of entries");
        }
        KeyIndex idx = new KeyIndex(activeFile, sealedFile, baseOffset, files, true, size);
        idx.check(nextOffset);
        return idx;
    }

    /** Records that the record at {@code offset} has a key with {@code keyHash}. Blocks on disk. */
    public void append(long keyHash, long offset) throws IOException {
        Entries one = new Entries(1);
        one.add(keyHash, offset);
        append(one);
    }

    /** Entries collected for one batch, written with a single write. */
    public final class Entries {
        private ByteBuffer buffer;

        public Entries(int expected) {
            buffer = ByteBuffer.allocate(Math.max(1, expected) * ENTRY);
        }

        public void add(long keyHash, long offset) {
            if (!buffer.hasRemaining()) {
                buffer = ByteBuffer.allocate(buffer.capacity() * 2).put(buffer.flip());
            }
            buffer.putLong(keyHash).putInt((int) (offset - baseOffset));
        }
    }

    public Entries entries(int expected) {
        return new Entries(expected);
    }

    /** Appends a batch's entries. Blocks on disk. */
    public void append(Entries entries) throws IOException {
        ByteBuffer b = entries.buffer.duplicate().flip();
        int n = b.remaining();
        if (n == 0) {
            return;
        }
        try (FileCache.Handle h = files.open(activeFile)) {
            while (b.hasRemaining()) {
                h.channel().write(b, appendPosition + b.position());
            }
        }
        appendPosition += n;
    }

    /** Drops what {@link #append} wrote after {@code position} (undoing a failed append). */
    public long appendPosition() {
        return appendPosition;
    }

    public void truncateTo(long position) {
        appendPosition = position;
        try (FileCache.Handle h = files.open(activeFile)) {
            h.channel().truncate(position);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Offsets of records whose key hashes to {@code keyHash}, newest first. */
    public List<Long> offsetsFor(long keyHash) {
        return sealed ? sealedLookup(keyHash) : activeLookup(keyHash);
    }

    private List<Long> activeLookup(long keyHash) {
        List<Long> found = new ArrayList<>();
        long end = appendPosition;
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try (FileCache.Handle h = files.open(activeFile)) {
            long pos = 0;
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                readFully(h.channel(), buf, pos);
                buf.flip();
                while (buf.remaining() >= ENTRY) {
                    long hash = buf.getLong();
                    int rel = buf.getInt();
                    if (hash == keyHash) {
                        found.add(baseOffset + rel);
                    }
                }
                pos += buf.limit();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        java.util.Collections.reverse(found);
        return found;
    }

    private List<Long> sealedLookup(long keyHash) {
        List<Long> found = new ArrayList<>();
        long n = appendPosition / ENTRY;
        ByteBuffer entry = ByteBuffer.allocate(ENTRY);
        try (FileCache.Handle h = files.open(sealedFile)) {
            long lo = 0;
            long hi = n;
            while (lo < hi) { // first entry with hash >= keyHash
                long mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(hashAt(h.channel(), entry, mid), keyHash) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            for (long i = lo; i < n; i++) {
                entry.clear();
                readFully(h.channel(), entry, i * ENTRY);
                entry.flip();
                if (entry.getLong() != keyHash) {
                    break;
                }
                found.add(baseOffset + entry.getInt());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        java.util.Collections.reverse(found);
        return found;
    }

    private static long hashAt(FileChannel ch, ByteBuffer entry, long i) throws IOException {
        entry.clear();
        readFully(ch, entry, i * ENTRY);
        return entry.flip().getLong();
    }

    /** Sorts the active entries by (hash, offset) into the sealed file (temp file, fsync, rename). */
    public void seal() {
        try {
            int n = (int) (appendPosition / ENTRY);
            ByteBuffer all = ByteBuffer.allocate(n * ENTRY);
            try (FileCache.Handle h = files.open(activeFile)) {
                readFully(h.channel(), all, 0);
            }
            all.flip();
            long[][] pairs = new long[n][];
            for (int i = 0; i < n; i++) {
                pairs[i] = new long[] {all.getLong(), all.getInt()};
            }
            Arrays.sort(pairs, (a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0]) : Long.compare(a[1], b[1]));
            ByteBuffer out = ByteBuffer.allocate(n * ENTRY);
            for (long[] p : pairs) {
                out.putLong(p[0]).putInt((int) p[1]);
            }
            out.flip();
            Path tmp = sealedFile.resolveSibling(sealedFile.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                ch.force(true);
            }
            Files.move(tmp, sealedFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            files.forget(activeFile);
            Files.deleteIfExists(activeFile);
            Directories.sync(sealedFile.getParent());
            sealed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot seal key index " + sealedFile, e);
        }
    }

    public void flush() {
        if (sealed) {
            return;
        }
        try (FileCache.Handle h = files.open(activeFile)) {
            h.channel().force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void delete() {
        try {
            files.forget(activeFile);
            files.forget(sealedFile);
            Files.deleteIfExists(activeFile);
            Files.deleteIfExists(sealedFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void check(long nextOffset) {
        long n = appendPosition / ENTRY;
        ByteBuffer entry = ByteBuffer.allocate(ENTRY);
        try (FileCache.Handle h = files.open(sealedFile)) {
            long prevHash = 0;
            for (long i = 0; i < n; i++) {
                entry.clear();
                readFully(h.channel(), entry, i * ENTRY);
                entry.flip();
                long hash = entry.getLong();
                long offset = baseOffset + entry.getInt();
                if (offset < baseOffset || offset >= nextOffset || (i > 0 && Long.compareUnsigned(hash, prevHash) < 0)) {
                    throw new IndexCorruptException(sealedFile + ": entry " + i + " is out of order or past the segment");
                }
                prevHash = hash;
            }
        } catch (IOException e) {
            throw new IndexCorruptException(sealedFile + ": " + e.getMessage());
        }
    }

    static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            at += n;
        }
    }
}
