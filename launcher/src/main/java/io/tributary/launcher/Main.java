package io.tributary.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * {@code bin/tributary up|down|status|start NAME|stop NAME|kill NAME}: runs the local cluster as
 * separate processes that outlive this command. Settings come from the environment:
 * REDIS_URL (else an embedded redis-server with AOF under the home folder),
 * TRIBUTARY_GATEWAY_PORT (8080), TRIBUTARY_STORAGE_NODES (3), TRIBUTARY_HOST (127.0.0.1).
 */
public final class Main {
    private static final String REDIS = "redis";

    private Main() {
    }

    public static void main(String[] args) throws IOException {
        String command = args.length > 0 ? args[0] : "help";
        Path repo = Path.of(option(args, "--repo", ".")).toAbsolutePath().normalize();
        Path home = Path.of(option(args, "--home", repo.resolve(".tributary").toString())).toAbsolutePath().normalize();
        String name = args.length > 1 && !args[1].startsWith("--") ? args[1] : null;
        tlsAsked = java.util.Arrays.asList(args).contains("--tls");
        int code = switch (command) {
            case "up" -> up(repo, home, null);
            case "start" -> name == null ? usage() : up(repo, home, name);
            case "add-node" -> addNode(repo, home);
            case "down" -> down(home);
            case "stop" -> name == null ? usage() : signal(home, name, false);
            case "kill" -> name == null ? usage() : signal(home, name, true);
            case "status" -> status(home);
            default -> command.equals("help") ? usage() - 2 : usage();
        };
        System.exit(code);
    }

    /** {@code up --tls}: the gateway serves HTTPS with a development certificate, and keeps doing so while .tributary/tls exists. */
    private static boolean tlsAsked;

    private static int usage() {
        System.out.println("usage: bin/tributary up [--tls] | down | status | add-node | start NAME | stop NAME | kill NAME");
        return 2;
    }

    /**
     * Starts what is not running, on the ports, data and token of the first start (all of it,
     * or only {@code only}): like {@code docker compose up}, it brings a crashed or stopped
     * process back and leaves running ones alone.
     */
    static int up(Path repo, Path home, String only) throws IOException {
        long started = System.nanoTime();
        Files.createDirectories(home.resolve("run"));
        ClusterSettings settings = ClusterSettings.loadOrCreate(home, System::getenv);
        List<ManagedProcess> running = runningProcesses(home);
        String redisUrl = settings.redisUrl();
        if (redisUrl == null) {
            redisUrl = "redis://127.0.0.1:" + settings.redisPort();
            boolean redisUp = running.stream().anyMatch(p -> p.name().equals(REDIS));
            if (!redisUp && (only == null || only.equals(REDIS))) {
                EmbeddedRedis redis = EmbeddedRedis.start(home.resolve("bin"), home.resolve("redis"), settings.redisPort(), true,
                        home.resolve("logs").resolve(REDIS + ".log"));
                Files.writeString(home.resolve("run").resolve(REDIS + ".pid"), Long.toString(redis.pid()));
                System.out.println("redis        " + redisUrl + " (embedded, AOF in " + home.resolve("redis") + ")");
            }
        }
        if (REDIS.equals(only)) {
            return 0;
        }
        String adminKey = AdminKey.loadOrCreate(home);
        ClusterLayout layout = settings.layout(redisUrl, home.resolve("data")).withSecurity(adminKey, System::getenv);
        DevCertificate tls = null;
        if (tlsAsked || Files.isRegularFile(home.resolve(DevCertificate.DIR).resolve("gateway.p12"))) {
            tls = DevCertificate.ensure(home);
            layout = layout.withTls(tls.keyStore(), tls.password());
        }
        writePorts(home, layout);
        ClusterLauncher launcher = new ClusterLauncher(repo, home, layout, ClusterLauncher.defaultJvmOptions())
                .withClassDataSharing(!"off".equalsIgnoreCase(env("TRIBUTARY_CDS", "on")));
        for (ManagedProcess p : running) {
            if (!p.name().equals(REDIS)) {
                launcher.adopt(p);
            }
        }
        List<String> startedNow;
        try {
            if (only != null) {
                if (launcher.process(only) != null && launcher.process(only).isAlive()) {
                    System.out.println(only + " is already running (pid " + launcher.process(only).pid() + ")");
                    return 0;
                }
                launcher.start(only);
                launcher.awaitReady(only);
                startedNow = List.of(only);
            } else {
                startedNow = launcher.startMissing();
            }
        } catch (RuntimeException e) {
            System.err.println("Start failed: " + e.getMessage());
            return 1;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        for (ServiceSpec s : layout.services()) {
            ManagedProcess p = launcher.process(s.name());
            System.out.printf("%-12s http://%s:%d  pid %d%s%n", s.name(), settings.host(), s.port(), p == null ? -1 : p.pid(),
                    startedNow.contains(s.name()) ? "  (started)" : "");
        }
        if (only != null) {
            return 0;
        }
        String gw = layout.gatewayUrl();
        System.out.println();
        System.out.printf("Tributary is ready (%.1f s).%n", took.toMillis() / 1000.0);
        System.out.println("  Gateway     " + gw + "/api/v1");
        System.out.println("  Swagger UI  " + gw + "/swagger-ui.html");
        System.out.println("  OpenAPI     " + gw + "/v3/api-docs");
        System.out.println("  Health      " + gw + "/actuator/health");
        System.out.println("  Logs        " + home.resolve("logs"));
        System.out.println("  Admin key   " + home.resolve(AdminKey.FILE) + " (user admin; send it as 'Authorization: Bearer <key>')");
        if (tls != null) {
            System.out.println("  TLS         self-signed, trust it with: curl --cacert " + tls.certificate() + " " + gw + "/api/v1/whoami ...");
        }
        System.out.println("Stop it with: bin/tributary down");
        return 0;
    }

    /**
     * Starts one more storage node (next id, next port, its own data folder) in the running
     * cluster and keeps it in the settings, so later {@code up}s start it too. It registers with
     * the controller and is a placement target at once; moving existing partitions onto it is a
     * rebalance ({@code POST /api/v1/cluster/rebalance?dryRun=false}).
     */
    static int addNode(Path repo, Path home) throws IOException {
        if (!Files.isRegularFile(home.resolve("run").resolve(ClusterSettings.FILE))) {
            System.err.println("No cluster here yet: bin/tributary up starts one.");
            return 1;
        }
        ClusterSettings settings = ClusterSettings.loadOrCreate(home, System::getenv).withOneMoreStorageNode(home);
        String name = ClusterLayout.STORAGE_PREFIX + settings.storageNodes();
        System.out.println("adding " + name);
        return up(repo, home, name);
    }

    /** {@code stop NAME} (SIGTERM, then SIGKILL after 15 s) or {@code kill NAME} (SIGKILL, for drills). */
    static int signal(Path home, String name, boolean kill) throws IOException {
        for (ManagedProcess p : runningProcesses(home)) {
            if (p.name().equals(name)) {
                if (kill) {
                    p.kill();
                } else {
                    p.stop(Duration.ofSeconds(15));
                }
                System.out.println((kill ? "killed " : "stopped ") + name + " (pid " + p.pid() + ")");
                return 0;
            }
        }
        System.out.println(name + " is not running");
        return 1;
    }

    static int down(Path home) throws IOException {
        List<ManagedProcess> running = runningProcesses(home);
        // Stop in reverse start order: gateway and routing first, Redis last.
        List<String> order = new ArrayList<>(List.of(ClusterLayout.GATEWAY, ClusterLayout.ROUTING));
        running.stream().map(ManagedProcess::name).filter(n -> n.startsWith(ClusterLayout.STORAGE_PREFIX)).sorted().forEach(order::add);
        running.stream().map(ManagedProcess::name).filter(n -> n.startsWith(ClusterLayout.COORDINATOR_PREFIX)).sorted().forEach(order::add);
        order.add(REDIS);
        for (String name : order) {
            for (ManagedProcess p : running) {
                if (p.name().equals(name)) {
                    p.stop(Duration.ofSeconds(15));
                    System.out.println("stopped " + name + " (pid " + p.pid() + ")");
                }
            }
        }
        try (Stream<Path> pids = pidFiles(home)) {
            for (Path f : pids.toList()) {
                Files.deleteIfExists(f);
            }
        }
        if (running.isEmpty()) {
            System.out.println("Nothing was running.");
        }
        return 0;
    }

    static int status(Path home) throws IOException {
        Properties ports = readPorts(home);
        List<ManagedProcess> all = knownProcesses(home);
        if (all.isEmpty()) {
            System.out.println("Not running (bin/tributary up starts it).");
            return 3;
        }
        boolean allUp = true;
        for (ManagedProcess p : all) {
            String port = ports.getProperty(p.name(), "");
            boolean alive = p.isAlive();
            allUp &= alive;
            System.out.printf("%-12s pid %-8d %-8s %s%n", p.name(), p.pid(), alive ? "running" : "stopped",
                    port.isEmpty() ? "" : "port " + port);
        }
        String gw = ports.getProperty("gateway.url");
        if (gw != null) {
            System.out.println("Gateway: " + gw + "   Swagger UI: " + gw + "/swagger-ui.html");
        }
        return allUp ? 0 : 1;
    }

    private static List<ManagedProcess> runningProcesses(Path home) throws IOException {
        return knownProcesses(home).stream().filter(ManagedProcess::isAlive).toList();
    }

    private static List<ManagedProcess> knownProcesses(Path home) throws IOException {
        List<ManagedProcess> list = new ArrayList<>();
        try (Stream<Path> pids = pidFiles(home)) {
            for (Path f : pids.sorted().toList()) {
                String name = f.getFileName().toString().replace(".pid", "");
                long pid = Long.parseLong(Files.readString(f).trim());
                list.add(new ManagedProcess(name, pid, home.resolve("logs").resolve(name + ".log")));
            }
        }
        return list;
    }

    private static Stream<Path> pidFiles(Path home) throws IOException {
        Path run = home.resolve("run");
        if (!Files.isDirectory(run)) {
            return Stream.empty();
        }
        return Files.list(run).filter(f -> f.getFileName().toString().endsWith(".pid"));
    }

    private static void writePorts(Path home, ClusterLayout layout) throws IOException {
        Properties p = new Properties();
        layout.services().forEach(s -> p.setProperty(s.name(), Integer.toString(s.port())));
        p.setProperty("gateway.url", layout.gatewayUrl());
        try (Writer w = Files.newBufferedWriter(home.resolve("run").resolve("ports.properties"), StandardCharsets.UTF_8)) {
            p.store(w, "ports of the running local cluster");
        }
    }

    private static Properties readPorts(Path home) throws IOException {
        Properties p = new Properties();
        Path f = home.resolve("run").resolve("ports.properties");
        if (Files.isRegularFile(f)) {
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        return p;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
