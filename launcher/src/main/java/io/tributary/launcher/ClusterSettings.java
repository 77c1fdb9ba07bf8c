package io.tributary.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * What the local cluster was started with, kept in {@code .tributary/run/cluster.properties}
 * (owner-only: it holds the cluster token) so that a later {@code bin/tributary up} or
 * {@code start NAME} brings a process back on the same ports, data and token, as
 * {@code docker compose up} would.
 *
 * @param redisUrl the Redis URL given (REDIS_URL), or null for the embedded server on {@code redisPort}
 */
public record ClusterSettings(String host, int gatewayPort, int storageNodes, String redisUrl, int redisPort, String clusterToken,
        String keyPrefix) {
    static final String FILE = "cluster.properties";

    /** The saved settings, or new ones from the environment (saved). */
    public static ClusterSettings loadOrCreate(Path home, java.util.function.Function<String, String> env) throws IOException {
        Path f = home.resolve("run").resolve(FILE);
        if (Files.isRegularFile(f)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            String redis = p.getProperty("redisUrl", "");
            return new ClusterSettings(p.getProperty("host"), Integer.parseInt(p.getProperty("gatewayPort")),
                    Integer.parseInt(p.getProperty("storageNodes")), redis.isEmpty() ? null : redis,
                    Integer.parseInt(p.getProperty("redisPort")), p.getProperty("clusterToken"), p.getProperty("keyPrefix"));
        }
        String redisUrl = env.apply("REDIS_URL");
        ClusterSettings s = new ClusterSettings(
                or(env.apply("TRIBUTARY_HOST"), "127.0.0.1"),
                Integer.parseInt(or(env.apply("TRIBUTARY_GATEWAY_PORT"), Integer.toString(ClusterLayout.DEFAULT_GATEWAY_PORT))),
                Integer.parseInt(or(env.apply("TRIBUTARY_STORAGE_NODES"), "3")),
                redisUrl == null || redisUrl.isBlank() ? null : redisUrl,
                Integer.parseInt(or(env.apply("TRIBUTARY_REDIS_PORT"), Integer.toString(ClusterLayout.DEFAULT_REDIS_PORT))),
                newToken(),
                or(env.apply("TRIBUTARY_REDIS_KEY_PREFIX"), "trib:"));
        s.save(f);
        return s;
    }

    /** These settings with one more storage node, saved (what {@code add-node} keeps for later starts). */
    public ClusterSettings withOneMoreStorageNode(Path home) throws IOException {
        ClusterSettings more = new ClusterSettings(host, gatewayPort, storageNodes + 1, redisUrl, redisPort, clusterToken, keyPrefix);
        more.save(home.resolve("run").resolve(FILE));
        return more;
    }

    private void save(Path f) throws IOException {
        Properties p = new Properties();
        p.setProperty("host", host);
        p.setProperty("gatewayPort", Integer.toString(gatewayPort));
        p.setProperty("storageNodes", Integer.toString(storageNodes));
        p.setProperty("redisUrl", redisUrl == null ? "" : redisUrl);
        p.setProperty("redisPort", Integer.toString(redisPort));
        p.setProperty("clusterToken", clusterToken);
        p.setProperty("keyPrefix", keyPrefix);
        Files.createDirectories(f.getParent());
        Files.deleteIfExists(f);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
            p.store(w, "settings of the local cluster (holds its token: owner-only)");
        }
    }

    public ClusterLayout layout(String redis, Path dataDir) {
        return ClusterLayout.of(ClusterLayout.defaults(host, gatewayPort, storageNodes, redis, clusterToken, keyPrefix, dataDir));
    }

    private static String or(String v, String fallback) {
        return v == null || v.isBlank() ? fallback : v;
    }

    private static String newToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
