package io.tributary.routing.partition;

/**
 * The 32-bit murmur2 hash exactly as Kafka's default partitioner computes it
 * ({@code org.apache.kafka.common.utils.Utils.murmur2}, seed 0x9747b28c), so that a key
 * lands on the same partition number here as in Kafka for the same partition count:
 * {@code toPositive(murmur2(key)) % partitions}.
 */
public final class Murmur2 {
    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2() {
    }

    public static int hash(byte[] data) {
        int length = data.length;
        int h = SEED ^ length;
        int blocks = length / 4;
        for (int i = 0; i < blocks; i++) {
            int base = i * 4;
            int k = (data[base] & 0xff) | ((data[base + 1] & 0xff) << 8) | ((data[base + 2] & 0xff) << 16)
                    | ((data[base + 3] & 0xff) << 24);
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = blocks * 4;
        switch (length % 4) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
            // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
            // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= M;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }

    /** Kafka's {@code Utils.toPositive}: clears the sign bit (not Math.abs, which fails on MIN_VALUE). */
    public static int toPositive(int n) {
        return n & 0x7fffffff;
    }

    /** The partition Kafka's default partitioner picks for a keyed record. */
    public static int partition(byte[] key, int partitions) {
        return toPositive(hash(key)) % partitions;
    }
}
