package io.tributary.storage.crash;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;

/** A path of a {@link SimFileSystem}: a real path, wrapped so that every operation on it goes through the simulated disk. */
final class SimPath implements Path {
    private final SimFileSystem fs;
    private final Path real;

    SimPath(SimFileSystem fs, Path real) {
        this.fs = fs;
        this.real = real;
    }

    Path real() {
        return real;
    }

    static Path unwrap(Path p) {
        if (p instanceof SimPath s) {
            return s.real;
        }
        throw new IllegalArgumentException("not a path of the simulated disk: " + p);
    }

    private Path wrap(Path p) {
        return p == null ? null : new SimPath(fs, p);
    }

    @Override
    public FileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return real.isAbsolute();
    }

    @Override
    public Path getRoot() {
        return wrap(real.getRoot());
    }

    @Override
    public Path getFileName() {
        return wrap(real.getFileName());
    }

    @Override
    public Path getParent() {
        return wrap(real.getParent());
    }

    @Override
    public int getNameCount() {
        return real.getNameCount();
    }

    @Override
    public Path getName(int index) {
        return wrap(real.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return wrap(real.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        return other instanceof SimPath s && real.startsWith(s.real);
    }

    @Override
    public boolean endsWith(Path other) {
        return other instanceof SimPath s && real.endsWith(s.real);
    }

    @Override
    public Path normalize() {
        return wrap(real.normalize());
    }

    @Override
    public Path resolve(Path other) {
        return wrap(real.resolve(other instanceof SimPath s ? s.real : real.getFileSystem().getPath(other.toString())));
    }

    @Override
    public Path relativize(Path other) {
        return wrap(real.relativize(unwrap(other)));
    }

    @Override
    public URI toUri() {
        return real.toUri();
    }

    @Override
    public Path toAbsolutePath() {
        return wrap(real.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
        return wrap(real.toRealPath(options));
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("no watch service on the simulated disk");
    }

    @Override
    public int compareTo(Path other) {
        return real.compareTo(unwrap(other));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SimPath s && s.real.equals(real);
    }

    @Override
    public int hashCode() {
        return Objects.hash(SimPath.class, real);
    }

    @Override
    public String toString() {
        return real.toString();
    }
}
