package io.tributary.cluster;

import io.tributary.launcher.AdminKey;
import io.tributary.launcher.ClusterLauncher;
import io.tributary.launcher.ClusterLayout;
import io.tributary.launcher.DevCertificate;
import io.tributary.launcher.Ports;
import io.tributary.launcher.RedisEndpoint;
import io.tributary.launcher.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One real cluster for the whole cluster-test run, started through the same launcher code as
 * {@code bin/tributary up}: Redis (REDIS_URL, Testcontainers or the embedded server), a
 * coordinator, three storage nodes, routing and a gateway, each its own JVM on free ports.
 * Tests isolate themselves by topic name. Stopped when the test JVM exits.
 */
public final class TestCluster {
    /** The cluster token every process of the test cluster shares: random per run, as the launcher makes it. */
    public static final String TOKEN = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(16));
    /** The API key of the user admin, which the first gateway creates (as {@code bin/tributary up} arranges it). */
    public static final String ADMIN_KEY = AdminKey.generate();
    /** JWTs the gateways accept: HS256 with this secret, this issuer and audience (see {@link Jwts}). */
    public static final String JWT_SECRET = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(32));
    public static final String JWT_ISSUER = "https://issuer.tributary.test";
    public static final String JWT_AUDIENCE = "tributary-tests";
    private static TestCluster instance;
    /** A second routing instance with its own gateway, started only by the tests that need it. */
    static final String SECOND_ROUTING = "routing-2";
    static final String SECOND_GATEWAY = "gateway-2";
    /** A gateway serving HTTPS with a development certificate, started only by the tests that need it. */
    static final String TLS_GATEWAY = "gateway-tls";
    private DevCertificate certificate;
    private SecondEdge secondEdge;

    /** The storage node every other service reaches through a {@link FaultProxy}. */
    static final String PROXIED_NODE = "storage-3";

    private final ClusterLauncher launcher;
    private final Api api;
    private final RedisEndpoint redis;
    private final FaultProxy proxy;

    private TestCluster(ClusterLauncher launcher, RedisEndpoint redis, FaultProxy proxy) {
        this.launcher = launcher;
        this.redis = redis;
        this.proxy = proxy;
        this.api = new Api(launcher.layout().gatewayUrl(), ADMIN_KEY);
    }

    public static synchronized TestCluster get() {
        if (instance == null) {
            instance = start();
            Runtime.getRuntime().addShutdownHook(new Thread(instance.launcher::close, "test-cluster-stop"));
        }
        return instance;
    }

    private static TestCluster start() {
        Path repo = repoRoot();
        Path home;
        try {
            home = Files.createDirectories(repo.resolve("cluster-tests/target/cluster-" + System.currentTimeMillis()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RedisEndpoint redis = TestRedis.shared();
        List<Integer> storagePorts = List.of(Ports.free(), Ports.free(), Ports.free());
        int proxyPort = Ports.free();
        FaultProxy proxy;
        try {
            proxy = new FaultProxy(proxyPort, storagePorts.get(2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ClusterLayout layout = ClusterLayout.of(new ClusterLayout.Settings("127.0.0.1", Ports.free(),
                List.of(Ports.free(), Ports.free()), Ports.free(), storagePorts, redis.url(), TOKEN, TestRedis.uniquePrefix(), home.resolve("data")))
                .withSecurity(ADMIN_KEY, java.util.Map.of("TRIBUTARY_JWT_HS256_SECRET", JWT_SECRET, "TRIBUTARY_JWT_ISSUER", JWT_ISSUER,
                        "TRIBUTARY_JWT_AUDIENCE", JWT_AUDIENCE)::get)
                .withSecondEdge(SECOND_ROUTING, Ports.free(), SECOND_GATEWAY, Ports.free())
                .withEnv(PROXIED_NODE, ClusterLayout.ADVERTISED_URL, "http://127.0.0.1:" + proxyPort);
        DevCertificate cert;
        try {
            cert = DevCertificate.ensure(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        layout = layout.withTlsGateway(TLS_GATEWAY, Ports.free(), cert.keyStore(), cert.password());
        // C1 only: these JVMs are measured for correctness, not speed, and start ~30% cheaper.
        List<String> jvm = new ArrayList<>(ClusterLauncher.defaultJvmOptions());
        jvm.add("-XX:TieredStopAtLevel=1");
        // Small segments and a quick retention check, so segment rolls and retention happen within a test.
        java.util.Map<String, String> tuning = java.util.Map.of(
                "TRIBUTARY_STORAGE_SEGMENT_BYTES", "64KB",
                "TRIBUTARY_STORAGE_RETENTION_CHECK_INTERVAL", "1s",
                "TRIBUTARY_ROUTING_APPEND_TIMEOUT", "2s",
                // A move onto a node that died rolls back within a test.
                "TRIBUTARY_COORDINATOR_REASSIGNMENT_ABANDON_AFTER", "10s");
        ClusterLauncher launcher = new ClusterLauncher(repo, home, layout, jvm, tuning);
        long t0 = System.nanoTime();
        launcher.startAll(name -> !name.equals(SECOND_ROUTING) && !name.equals(SECOND_GATEWAY) && !name.equals(TLS_GATEWAY));
        System.out.printf("Test cluster ready in %.1f s (Redis from %s), logs in %s%n",
                (System.nanoTime() - t0) / 1e9, redis.origin(), home.resolve("logs"));
        TestCluster cluster = new TestCluster(launcher, redis, proxy);
        cluster.certificate = cert;
        return cluster;
    }

    /** The HTTPS gateway (started on first use) and the certificate it serves. */
    public synchronized DevCertificate tlsGateway() {
        if (!launcher.isReady(TLS_GATEWAY)) {
            launcher.start(TLS_GATEWAY);
            launcher.awaitReady(TLS_GATEWAY);
        }
        return certificate;
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (no mvnw above " + Path.of("").toAbsolutePath() + ")");
        }
        return p;
    }

    public Api api() {
        return api;
    }

    /** The proxy in front of {@link #PROXIED_NODE}. */
    FaultProxy proxy() {
        return proxy;
    }

    public ClusterLauncher launcher() {
        return launcher;
    }

    public ClusterLayout layout() {
        return launcher.layout();
    }

    public RedisEndpoint redis() {
        return redis;
    }

    /** The second routing instance and the gateway in front of it, started on first use. */
    public record SecondEdge(Api api) {
    }

    public synchronized SecondEdge secondEdge() {
        if (secondEdge == null) {
            launcher.start(SECOND_ROUTING);
            launcher.start(SECOND_GATEWAY);
            launcher.awaitReady(SECOND_ROUTING);
            launcher.awaitReady(SECOND_GATEWAY);
            secondEdge = new SecondEdge(new Api("http://127.0.0.1:" + layout().service(SECOND_GATEWAY).port(), ADMIN_KEY));
        }
        return secondEdge;
    }

    /** The coordinator that is the active controller now (as the gateway's metadata names it). */
    public String activeCoordinator() {
        return api().get("/api/v1/cluster").json().get("controller").asString();
    }

    /** kill -9 a service, start it again and wait until it is ready. */
    public void killAndRestart(String name) {
        launcher.kill(name);
        launcher.start(name);
        launcher.awaitReady(name);
    }
}
