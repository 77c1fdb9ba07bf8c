package io.tributary.storage.cursor;

import io.tributary.storage.files.FileCache;
import io.tributary.storage.files.LineJournal;
import java.nio.file.Path;
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
 * ignored (a {@link LineJournal}). Commits follow {@link Cursor}'s rules (fenced by generation, never backwards);
 * {@link #seek} moves a cursor anywhere. The file is rewritten compactly (temp file, fsync, atomic
 * rename) when it grows past {@link #COMPACT_BYTES}.
 *
 * <p>The file is opened through the node's {@link FileCache}, so idle partitions hold no
 * descriptor for it. Blocks on disk: call from the disk scheduler.
 */
public final class CursorStore implements AutoCloseable {
    public static final String FILE_NAME = "cursors.log";
    static final long COMPACT_BYTES = 64 * 1024;

    private final Map<String, Cursor> cursors = new HashMap<>();
    private LineJournal journal;

    private CursorStore() {
    }

    public static CursorStore open(Path dir, FileCache files) {
        CursorStore store = new CursorStore();
        store.journal = LineJournal.open(dir.resolve(FILE_NAME), files, store::parse);
        return store;
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
        return journal.changes();
    }

    /** Every cursor with its generation. */
    public synchronized Map<String, Cursor> cursors() {
        return new TreeMap<>(cursors);
    }

    /** Replaces every cursor with the leader's (a follower's copy): written compactly, durable with the next flush. */
    public synchronized void replaceAll(Map<String, Cursor> leaders) {
        cursors.clear();
        cursors.putAll(leaders);
        compact(false);
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
        journal.append(LineJournal.field(subscription) + " " + cursor.offset() + " " + cursor.generation());
        cursors.put(subscription, cursor);
        if (journal.size() > COMPACT_BYTES) {
            compact();
        }
    }

    /**
     * Removes {@code subscription}'s cursor and those of its named consumers
     * ({@code <subscription>~...}, as the gateway names a broadcast consumer's cursor).
     */
    public synchronized void removeWithConsumers(String subscription) {
        String consumers = subscription + "~";
        if (cursors.keySet().removeIf(k -> k.equals(subscription) || k.startsWith(consumers))) {
            compact();
        }
    }

    public synchronized void remove(String subscription) {
        if (cursors.remove(subscription) != null) {
            compact();
        }
    }

    private void compact() {
        compact(true);
    }

    private void compact(boolean durable) {
        StringBuilder sb = new StringBuilder();
        cursors.forEach((k, v) -> sb.append(k).append(' ').append(v.offset()).append(' ').append(v.generation()).append('\n'));
        journal.rewrite(sb.toString(), durable);
    }

    public synchronized void flush() {
        journal.flush();
    }

    @Override
    public synchronized void close() {
        journal.close();
    }
}
