package io.tributary.storage.index;

/**
 * 64-bit FNV-1a of a message key: what the key index stores instead of the key. Collisions
 * are possible, so a lookup always reads the record and compares the key itself.
 */
public final class KeyHash {
    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private KeyHash() {
    }

    public static long of(byte[] key) {
        long h = OFFSET_BASIS;
        for (byte b : key) {
            h ^= b & 0xff;
            h *= PRIME;
        }
        return h;
    }

    /** The same hash over {@code length} bytes of {@code buffer} from absolute index {@code from}, without copying them. */
    public static long of(java.nio.ByteBuffer buffer, int from, int length) {
        long h = OFFSET_BASIS;
        for (int i = from; i < from + length; i++) {
            h ^= buffer.get(i) & 0xff;
            h *= PRIME;
        }
        return h;
    }
}
