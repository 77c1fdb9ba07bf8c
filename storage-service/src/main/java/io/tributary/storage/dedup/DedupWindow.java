package io.tributary.storage.dedup;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Idempotent publish: the message ids a partition stored recently, with their offsets. A
 * retried publish whose message carries an id seen within the window is answered with the
 * original offset instead of being stored again. Bounded by time and by count (oldest first).
 * Not thread-safe: used under the partition's append lock.
 */
public final class DedupWindow {
    private final long windowMs;
    private final int maxEntries;
    private final LinkedHashMap<String, long[]> ids = new LinkedHashMap<>();

    public DedupWindow(long windowMs, int maxEntries) {
        this.windowMs = windowMs;
        this.maxEntries = maxEntries;
    }

    /** The offset the id was stored at, if within the window. */
    public Long lookup(String id, long nowMs) {
        expire(nowMs);
        long[] e = ids.get(id);
        return e == null ? null : e[0];
    }

    /** Remembers that {@code id} was stored at {@code offset} with {@code timestampMs}. */
    public void record(String id, long offset, long timestampMs) {
        ids.remove(id);
        ids.put(id, new long[] {offset, timestampMs});
        while (ids.size() > maxEntries) {
            Iterator<?> it = ids.values().iterator();
            it.next();
            it.remove();
        }
    }

    private void expire(long nowMs) {
        for (Iterator<Map.Entry<String, long[]>> it = ids.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue()[1] >= nowMs - windowMs) {
                break;
            }
            it.remove();
        }
    }

    public void clear() {
        ids.clear();
    }

    public long windowMs() {
        return windowMs;
    }

    public int size() {
        return ids.size();
    }
}
