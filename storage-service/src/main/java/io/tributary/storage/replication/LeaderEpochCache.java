package io.tributary.storage.replication;

import io.tributary.storage.files.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which leader epoch wrote which part of a partition's log (Kafka's leader-epoch-checkpoint,
 * KIP-101): a list of (epoch, start offset), epochs increasing. A follower that starts
 * following a new leader asks it where its own last epoch ends in the leader's log
 * ({@link #endOffsetFor}) and truncates there, so replicas never diverge, even when an old
 * leader appended batches nobody else has.
 *
 * <p>File {@code leader-epoch-checkpoint} in the partition directory: one line
 * {@code <epoch> <startOffset>} per epoch, rewritten whole on every change (temp file, fsync,
 * atomic rename, directory fsync), so it survives power loss. Its last epoch is also the
 * highest epoch this replica accepted (the storage side of fencing). Not thread-safe: used
 * under the partition's append lock.
 */
public final class LeaderEpochCache {
    public static final String FILE_NAME = "leader-epoch-checkpoint";

    /** One epoch and the first offset it wrote. */
    public record Entry(int epoch, long startOffset) {
    }

    /** Where an epoch ends: the largest epoch known at or below the asked one, and its end offset. */
    public record EpochEnd(int epoch, long endOffset) {
    }

    private final Path file;
    private final List<Entry> entries = new ArrayList<>();

    private LeaderEpochCache(Path file) {
        this.file = file;
    }

    public static LeaderEpochCache open(Path dir) {
        LeaderEpochCache c = new LeaderEpochCache(dir.resolve(FILE_NAME));
        try {
            if (Files.exists(c.file)) {
                for (String line : Files.readAllLines(c.file, StandardCharsets.UTF_8)) {
                    String[] f = line.trim().split(" ");
                    if (f.length == 2) {
                        c.entries.add(new Entry(Integer.parseInt(f[0]), Long.parseLong(f[1])));
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new UncheckedIOException(new IOException("cannot read " + c.file + ": " + e.getMessage(), e));
        }
        return c;
    }

    /** The newest epoch that wrote to this log or that this replica accepted; -1 if none. */
    public int latestEpoch() {
        return entries.isEmpty() ? -1 : entries.get(entries.size() - 1).epoch();
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset} (a leader taking over, or the
     * first batch of a new epoch reaching a follower). An epoch not newer than the latest
     * changes nothing.
     */
    public void assign(int epoch, long startOffset) {
        if (epoch <= latestEpoch()) {
            return;
        }
        if (!entries.isEmpty() && entries.get(entries.size() - 1).startOffset() == startOffset) {
            entries.remove(entries.size() - 1); // that epoch wrote nothing: the new one supersedes it
        }
        entries.add(new Entry(epoch, startOffset));
        persist();
    }

    /**
     * Where {@code epoch} ends in this log, which ends at {@code logEnd}: for the latest epoch
     * (or newer) the log end; else the start of the first epoch after it. The epoch answered
     * is the largest one at or below the asked one (a follower that saw an epoch this leader
     * never had truncates to where the one before it ended); an epoch older than every known
     * one ends where the first known one starts.
     */
    public EpochEnd endOffsetFor(int epoch, long logEnd) {
        if (entries.isEmpty()) {
            return new EpochEnd(-1, logEnd);
        }
        if (epoch >= latestEpoch()) {
            return new EpochEnd(latestEpoch(), logEnd);
        }
        int found = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).epoch() <= epoch) {
                found = i;
            }
        }
        if (found < 0) {
            return new EpochEnd(-1, entries.get(0).startOffset());
        }
        return new EpochEnd(entries.get(found).epoch(), entries.get(found + 1).startOffset());
    }

    /** The log was cut at {@code offset}: epochs that started there or later are gone. */
    public void truncateFromEnd(long offset) {
        boolean changed = entries.removeIf(e -> e.startOffset() >= offset);
        if (changed) {
            persist();
        }
    }

    /** The log was dropped whole: no epoch is known any more. */
    public void clear() {
        if (!entries.isEmpty()) {
            entries.clear();
            persist();
        }
    }

    private void persist() {
        StringBuilder b = new StringBuilder();
        entries.forEach(e -> b.append(e.epoch()).append(' ').append(e.startOffset()).append('\n'));
        Directories.replaceDurably(file, ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
