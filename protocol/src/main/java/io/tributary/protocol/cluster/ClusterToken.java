package io.tributary.protocol.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The shared secret that node-to-node calls carry in {@link #HEADER}. Every service refuses
 * {@code /internal/**} requests without it, so a client that reaches an inner port still
 * cannot pose as a replica or as routing. The launcher generates one per cluster.
 */
public final class ClusterToken {
    public static final String HEADER = "X-Tributary-Cluster-Token";
    private final byte[] token;

    public ClusterToken(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("tributary.cluster.token (env TRIBUTARY_CLUSTER_TOKEN) must be set: "
                    + "node-to-node calls are authenticated with it");
        }
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public String value() {
        return new String(token, StandardCharsets.UTF_8);
    }

    /** Constant-time comparison, so the token cannot be guessed byte by byte from timings. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }
}
