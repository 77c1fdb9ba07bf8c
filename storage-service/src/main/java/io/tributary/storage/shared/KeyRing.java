package io.tributary.storage.shared;

import io.tributary.storage.index.KeyHash;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Which member of a {@code key_shared} subscription owns a key: consistent hashing, each
 * member at {@link #POINTS} points of a ring of 64-bit hashes, a key owned by the first point
 * at or after its own hash. When a member joins it takes only keys from the others (about a
 * share each), when one leaves only its keys move: keys move between members only when
 * membership changes. Keys are hashed as the key index hashes them ({@link KeyHash}), then
 * mixed, so similar keys spread.
 */
final class KeyRing {
    static final int POINTS = 64;
    private final long[] points;
    private final String[] owners;

    private KeyRing(long[] points, String[] owners) {
        this.points = points;
        this.owners = owners;
    }

    static KeyRing of(List<String> members) {
        List<String> distinct = members.stream().distinct().sorted().toList();
        long[][] all = new long[distinct.size() * POINTS][];
        int n = 0;
        for (int m = 0; m < distinct.size(); m++) {
            for (int i = 0; i < POINTS; i++) {
                all[n++] = new long[] {mix(KeyHash.of((distinct.get(m) + "#" + i).getBytes(StandardCharsets.UTF_8))), m};
            }
        }
        Arrays.sort(all, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long[] points = new long[all.length];
        String[] owners = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            points[i] = all[i][0];
            owners[i] = distinct.get((int) all[i][1]);
        }
        return new KeyRing(points, owners);
    }

    boolean isEmpty() {
        return points.length == 0;
    }

    /** The member owning a key with this {@link KeyHash}; null on an empty ring. */
    String owner(long keyHash) {
        if (points.length == 0) {
            return null;
        }
        long h = mix(keyHash);
        int i = Arrays.binarySearch(points, h);
        if (i < 0) {
            i = -i - 1;
        }
        return owners[i == points.length ? 0 : i];
    }

    /** A 64-bit finalizer (SplitMix64's): FNV of short, similar strings is far from uniform. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
