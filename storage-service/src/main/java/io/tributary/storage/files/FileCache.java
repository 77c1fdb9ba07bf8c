package io.tributary.storage.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounds the file descriptors a storage node holds: every segment file is opened through
 * here, used, and released; the least recently used idle channels are closed when more than
 * {@code maxOpen} are open, and reopened on next use. A node with 10,000 partitions thus
 * holds descriptors only for the files in use, not for every segment it hosts.
 *
 * <p>Handles are reference-counted, so a channel is never closed under a reader; a channel
 * evicted while in use is closed by its last release.
 */
public final class FileCache implements AutoCloseable {
    private final int maxOpen;
    private final Map<Path, Entry> open = new LinkedHashMap<>(64, 0.75f, true);

    private static final class Entry {
        final Path path;
        final FileChannel channel;
        int refs;
        boolean evicted;

        Entry(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }
    }

    /** A channel in use; closing the handle releases it. */
    public final class Handle implements AutoCloseable {
        private final Entry entry;
        private boolean released;

        private Handle(Entry entry) {
            this.entry = entry;
        }

        public FileChannel channel() {
            return entry.channel;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release(entry);
            }
        }
    }

    /** How a file is opened; tests substitute channels that fail like a full disk. */
    @FunctionalInterface
    public interface Opener {
        FileChannel open(Path path) throws IOException;
    }

    private final Opener opener;

    public FileCache(int maxOpen) {
        this(maxOpen, path -> FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    public FileCache(int maxOpen, Opener opener) {
        this.maxOpen = Math.max(1, maxOpen);
        this.opener = opener;
    }

    /** Opens (or reuses) a read-write channel on an existing file. */
    public Handle open(Path path) {
        List<FileChannel> toClose = new ArrayList<>();
        Handle handle;
        synchronized (this) {
            Entry e = open.get(path);
            if (e != null && !e.channel.isOpen()) {
                // Closed under us (an interrupted I/O closes a channel): forget it and reopen.
                open.remove(path);
                e = null;
            }
            if (e == null) {
                try {
                    e = new Entry(path, opener.open(path));
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot open " + path, ex);
                }
                open.put(path, e);
                evictIdle(toClose);
            }
            e.refs++;
            handle = new Handle(e);
        }
        closeAll(toClose);
        return handle;
    }

    private void evictIdle(List<FileChannel> toClose) {
        Iterator<Entry> it = open.values().iterator();
        while (open.size() > maxOpen && it.hasNext()) {
            Entry e = it.next();
            if (e.refs == 0) {
                it.remove();
                toClose.add(e.channel);
            }
        }
    }

    private void release(Entry e) {
        boolean close;
        synchronized (this) {
            e.refs--;
            close = e.refs == 0 && e.evicted;
        }
        if (close) {
            closeAll(List.of(e.channel));
        }
    }

    /** Forgets a file (before it is deleted or renamed): closes it now, or at its last release. */
    public void forget(Path path) {
        FileChannel close = null;
        synchronized (this) {
            Entry e = open.remove(path);
            if (e != null) {
                if (e.refs == 0) {
                    close = e.channel;
                } else {
                    e.evicted = true;
                }
            }
        }
        if (close != null) {
            closeAll(List.of(close));
        }
    }

    public synchronized int openCount() {
        return open.size();
    }

    private static void closeAll(List<FileChannel> channels) {
        for (FileChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing an idle read-write channel whose data was forced already
            }
        }
    }

    @Override
    public void close() {
        List<FileChannel> all = new ArrayList<>();
        synchronized (this) {
            for (Entry e : open.values()) {
                all.add(e.channel);
            }
            open.clear();
        }
        closeAll(all);
    }
}
