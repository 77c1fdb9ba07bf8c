package io.tributary.storage.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A disk that can lose power. The storage engine runs unchanged on paths of this disk's
 * file system ({@link #root()}): every file lives in a real directory (the page cache, so to
 * speak), and this class records what a real disk would have made durable:
 * <ul>
 *   <li>a file's content as of its last {@code fsync} (FileChannel.force), plus the writes
 *       and truncations made since, in order;</li>
 *   <li>a directory's entries as of its last {@code fsync} (a directory channel forced):
 *       a file created, renamed or deleted since is not durably so.</li>
 * </ul>
 * {@link #powerLoss} replaces the real directory with what survives: the durable directory
 * tree, each file with its durable content, optionally with a prefix of the later writes
 * applied and the last of them torn (some writes had reached the platters). Memory-mapped
 * writes are not seen one by one; a forced channel of the file captures them.
 *
 * <p>Files are known by inode ({@code fileKey}) and how often that inode was handed out
 * (the file system reuses the inode of a deleted file), so a rename keeps a file's history
 * and a deleted file's durable content stays known until its entry is durably gone.
 */
public final class SimulatedDisk {
    private final Path realRoot;
    private final SimFileSystem fs;

    /** A write or truncation since the file's last fsync. */
    private record Op(long position, byte[] bytes, long truncateTo) {
        static Op write(long position, byte[] bytes) {
            return new Op(position, bytes, -1);
        }

        static Op truncate(long size) {
            return new Op(-1, null, size);
        }
    }

    /** A directory entry as of the directory's last fsync. */
    private record Entry(Object inode, boolean directory) {
    }

    private final Map<Object, byte[]> durableContent = new HashMap<>();
    private final Map<Object, List<Op>> pending = new HashMap<>();
    private final Map<Object, Map<String, Entry>> durableDirs = new HashMap<>();
    private Object rootInode;
    /** Per inode, how many files have had it since the last restart (inodes are reused). */
    private final Map<Object, Integer> incarnations = new HashMap<>();
    private int fileSyncs;
    private int dirSyncs;

    public SimulatedDisk(Path realRoot) {
        this.realRoot = realRoot.toAbsolutePath().normalize();
        this.fs = new SimFileSystem(this);
        try {
            Files.createDirectories(this.realRoot);
            wipe();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rememberEverythingAsDurable();
    }

    /** The root directory, as a path of the simulated file system: hand it (or paths under it) to the engine. */
    public Path root() {
        return new SimPath(fs, realRoot);
    }

    public synchronized int fileSyncs() {
        return fileSyncs;
    }

    public synchronized int dirSyncs() {
        return dirSyncs;
    }

    /** A file's identity: its inode, and which file with that inode it is. */
    synchronized Object identityOf(Path real) throws IOException {
        Object inode = Files.readAttributes(real, BasicFileAttributes.class).fileKey();
        return inode + "#" + incarnations.getOrDefault(inode, 0);
    }

    /** A file or directory was just created at {@code real}: a new identity, even if its inode was used before. */
    synchronized void created(Path real) throws IOException {
        Object inode = Files.readAttributes(real, BasicFileAttributes.class).fileKey();
        incarnations.merge(inode, 1, Integer::sum);
    }

    synchronized void wrote(Object inode, long position, ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        pending.computeIfAbsent(inode, k -> new ArrayList<>()).add(Op.write(position, bytes));
    }

    synchronized void truncated(Object inode, long size) {
        pending.computeIfAbsent(inode, k -> new ArrayList<>()).add(Op.truncate(size));
    }

    /** A channel of {@code real} was forced: a file's content, or a directory's entries, are now durable. */
    synchronized void forced(Object inode, Path real) throws IOException {
        if (Files.isDirectory(real)) {
            durableDirs.put(inode, listing(real));
            dirSyncs++;
        } else {
            durableContent.put(inode, Files.readAllBytes(real));
            pending.remove(inode);
            fileSyncs++;
        }
    }

    private Map<String, Entry> listing(Path dir) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                entries.put(p.getFileName().toString(), new Entry(identityOf(p), Files.isDirectory(p)));
            }
        }
        return entries;
    }

    /**
     * The power goes out and comes back: the real directory now holds only what was durable.
     * With {@code tear}, each file also keeps a random prefix of its unsynced writes, the last
     * one possibly cut short. The engine's open files and mappings must be abandoned (never
     * closed: closing flushes nothing here, but a real close would not either).
     */
    public synchronized void powerLoss(Random random, boolean tear) {
        try {
            Map<Path, byte[]> files = new LinkedHashMap<>();
            List<Path> dirs = new ArrayList<>();
            collect(rootInode, Path.of(""), files, dirs, random, tear);
            wipe();
            for (Path d : dirs) {
                Files.createDirectories(realRoot.resolve(d));
            }
            for (Map.Entry<Path, byte[]> f : files.entrySet()) {
                Files.write(realRoot.resolve(f.getKey()), f.getValue()); // new inodes: old mappings cannot reach them
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rememberEverythingAsDurable();
    }

    private void collect(Object dirInode, Path relative, Map<Path, byte[]> files, List<Path> dirs, Random random, boolean tear) {
        Map<String, Entry> entries = durableDirs.getOrDefault(dirInode, Map.of());
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Path child = relative.resolve(e.getKey());
            if (e.getValue().directory()) {
                dirs.add(child);
                collect(e.getValue().inode(), child, files, dirs, random, tear);
            } else {
                files.put(child, survivingContent(e.getValue().inode(), random, tear));
            }
        }
    }

    private byte[] survivingContent(Object inode, Random random, boolean tear) {
        byte[] durable = durableContent.getOrDefault(inode, new byte[0]);
        List<Op> later = pending.getOrDefault(inode, List.of());
        if (!tear || later.isEmpty()) {
            return durable;
        }
        int applied = random.nextInt(later.size() + 1);
        byte[] content = durable;
        for (int i = 0; i < applied; i++) {
            Op op = later.get(i);
            boolean last = i == applied - 1;
            if (op.bytes() == null) {
                content = java.util.Arrays.copyOf(content, (int) Math.min(content.length, op.truncateTo()));
            } else {
                int length = last ? random.nextInt(op.bytes().length + 1) : op.bytes().length; // the last write may be torn
                int end = (int) op.position() + length;
                if (end > content.length) {
                    content = java.util.Arrays.copyOf(content, end);
                }
                System.arraycopy(op.bytes(), 0, content, (int) op.position(), length);
            }
        }
        return content;
    }

    private void wipe() throws IOException {
        if (!Files.exists(realRoot)) {
            Files.createDirectories(realRoot);
            return;
        }
        Files.walkFileTree(realRoot, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (!dir.equals(realRoot)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** After a (re)start, what is on the real disk is by definition durable. */
    private void rememberEverythingAsDurable() {
        durableContent.clear();
        pending.clear();
        durableDirs.clear();
        incarnations.clear();
        try {
            rootInode = identityOf(realRoot);
            Files.walkFileTree(realRoot, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    durableDirs.put(identityOf(dir), listing(dir));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    durableContent.put(identityOf(file), Files.readAllBytes(file));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
