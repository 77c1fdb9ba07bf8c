package io.tributary.storage.dedup;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Idempotent appends, as Kafka's idempotent producer: every batch a routing instance sends
 * carries its producer id and a sequence number that counts that producer's batches to this
 * partition (0, 1, 2, ...). The partition remembers, per producer, the last
 * {@link #CACHED_BATCHES} batches it stored and where, so that a batch sent again (routing
 * retried after a timeout, but the first attempt had been stored) is answered with its
 * original offsets instead of being stored twice.
 *
 * <p>The verdict for a batch of producer {@code p} with sequence {@code s}:
 * <ul>
 *   <li>{@code p} unknown here (new, or forgotten after idle expiry or a lost log tail): new.</li>
 *   <li>{@code s} = the last stored sequence + 1: new.</li>
 *   <li>{@code s} one of the remembered batches: a duplicate, answered with its offsets.</li>
 *   <li>anything else (a gap, or older than what is remembered): out of order, refused; the
 *       producer starts a new id and sends again (nothing of the batch was stored).</li>
 * </ul>
 *
 * <p>Bounded: producers idle for longer than the window are forgotten, and at most
 * {@code maxProducers} are kept (least recently used first). Rebuilt from the log tail on
 * restart (the batch headers carry producer id and sequence). Not thread-safe: used under the
 * partition's append lock.
 */
public final class ProducerSequences {
    /** How many of each producer's last batches are remembered (Kafka keeps five). */
    public static final int CACHED_BATCHES = 5;

    /** Where one stored batch went: its sequence, its record offsets (base to last, or each one when some were retries). */
    public record Stored(int sequence, int recordCount, long baseOffset, long lastOffset, List<Long> offsets) {
    }

    /** What to do with a batch. */
    public sealed interface Verdict {
    }

    public record Append() implements Verdict {
    }

    public record Duplicate(Stored original) implements Verdict {
    }

    public record OutOfOrder(int expected) implements Verdict {
    }

    private static final Verdict APPEND = new Append();

    private static final class Producer {
        final ArrayDeque<Stored> recent = new ArrayDeque<>(CACHED_BATCHES);
        long lastUsedMs;

        int lastSequence() {
            return recent.getLast().sequence();
        }
    }

    private final long idleMs;
    private final int maxProducers;
    /** Least recently stored first, so expiry and the size bound drop from the front. */
    private final LinkedHashMap<Long, Producer> producers = new LinkedHashMap<>();

    public ProducerSequences(long idleMs, int maxProducers) {
        this.idleMs = idleMs;
        this.maxProducers = maxProducers;
    }

    /** The verdict for a batch from {@code producerId} (-1: no producer, always appended) with {@code sequence}. */
    public Verdict check(long producerId, int sequence, long nowMs) {
        if (producerId < 0) {
            return APPEND;
        }
        expire(nowMs);
        Producer p = producers.get(producerId);
        if (p == null || sequence == p.lastSequence() + 1) {
            return APPEND;
        }
        for (Stored s : p.recent) {
            if (s.sequence() == sequence) {
                return new Duplicate(s);
            }
        }
        return new OutOfOrder(p.lastSequence() + 1);
    }

    /** Remembers that the producer's batch {@code stored.sequence()} was stored. */
    public void record(long producerId, Stored stored, long nowMs) {
        if (producerId < 0) {
            return;
        }
        Producer p = producers.remove(producerId);
        if (p == null) {
            p = new Producer();
        }
        producers.put(producerId, p);
        if (!p.recent.isEmpty() && stored.sequence() != p.lastSequence() + 1) {
            p.recent.clear(); // a new run (the producer's state here had been forgotten)
        }
        if (p.recent.size() == CACHED_BATCHES) {
            p.recent.removeFirst();
        }
        p.recent.addLast(stored);
        p.lastUsedMs = nowMs;
        while (producers.size() > maxProducers) {
            Iterator<?> it = producers.values().iterator();
            it.next();
            it.remove();
        }
    }

    private void expire(long nowMs) {
        for (Iterator<Map.Entry<Long, Producer>> it = producers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Producer> e = it.next();
            if (e.getValue().lastUsedMs >= nowMs - idleMs) {
                break;
            }
            it.remove();
        }
    }

    public void clear() {
        producers.clear();
    }

    public int producerCount() {
        return producers.size();
    }
}
