package io.tributary.storage.replication;

/**
 * Paces one moving replica's copy of its leader's log to a byte rate (a reassignment's
 * {@code copyBytesPerSecond}), so that a move does not starve live traffic: each fetch of
 * {@code n} bytes pushes the earliest start of the next one {@code n / rate} seconds further
 * on, so over any stretch the copy averages at most the rate (plus one fetch). The follower
 * applies it only while its replica is being added and out of sync: once in sync it must keep
 * up at full speed, or it would hold back the high watermark. Not thread-safe: one per fetch loop.
 */
public final class CopyThrottle {
    private long nextAllowedNanos = Long.MIN_VALUE;

    /** The most bytes one fetch should ask for at {@code rate}: a quarter second's worth, at least 16 KiB. */
    public static int fetchBytes(long rate, int maxFetchBytes) {
        return (int) Math.max(16 * 1024, Math.min(maxFetchBytes, rate / 4));
    }

    /** Counts {@code bytes} just copied at {@code rate} bytes/s; returns how long to wait (ns) before the next fetch. */
    public long copied(long bytes, long rate, long nowNanos) {
        if (rate <= 0) {
            nextAllowedNanos = Long.MIN_VALUE;
            return 0;
        }
        long from = Math.max(nextAllowedNanos, nowNanos);
        nextAllowedNanos = from + (long) (bytes * 1e9 / rate);
        return Math.max(0, nextAllowedNanos - nowNanos);
    }
}
