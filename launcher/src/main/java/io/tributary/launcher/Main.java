package io.tributary.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * {@code bin/tributary up|down|status}: runs the local cluster as separate processes that
 * outlive this command. Settings come from the environment:
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
        int code = switch (command) {
            case "up" -> up(repo, home);
            case "down" -> down(home);
            case "status" -> status(home);
            default -> {
                System.out.println("usage: bin/tributary up|down|status");
                yield command.equals("help") ? 0 : 2;
            }
        };
        System.exit(code);
    }

    static int up(Path repo, Path home) throws IOException {
        if (!runningProcesses(home).isEmpty()) {
            System.out.println("The cluster is already running (bin/tributary status; bin/tributary down to stop it).");
            return 1;
        }
        long started = System.nanoTime();
        Files.createDirectories(home.resolve("run"));
        String host = env("TRIBUTARY_HOST", "127.0.0.1");
        int gatewayPort = Integer.parseInt(env("TRIBUTARY_GATEWAY_PORT", Integer.toString(ClusterLayout.DEFAULT_GATEWAY_PORT)));
        int nodes = Integer.parseInt(env("TRIBUTARY_STORAGE_NODES", "3"));
        String redisUrl = System.getenv("REDIS_URL");
        if (redisUrl == null || redisUrl.isBlank()) {
            int redisPort = Integer.parseInt(env("TRIBUTARY_REDIS_PORT", Integer.toString(ClusterLayout.DEFAULT_REDIS_PORT)));
            EmbeddedRedis redis = EmbeddedRedis.start(home.resolve("bin"), home.resolve("redis"), redisPort, true,
                    home.resolve("logs").resolve(REDIS + ".log"));
            Files.writeString(home.resolve("run").resolve(REDIS + ".pid"), Long.toString(redis.pid()));
            redisUrl = redis.url();
            System.out.println("redis        " + redisUrl + " (embedded, AOF in " + home.resolve("redis") + ")");
        } else {
            System.out.println("redis        " + redisUrl + " (REDIS_URL)");
        }
        ClusterLayout layout = ClusterLayout.of(ClusterLayout.defaults(host, gatewayPort, nodes, redisUrl, newToken(),
                env("TRIBUTARY_REDIS_KEY_PREFIX", "trib:"), home.resolve("data")));
        writePorts(home, layout);
        ClusterLauncher launcher = new ClusterLauncher(repo, home, layout, ClusterLauncher.defaultJvmOptions())
                .withClassDataSharing(!"off".equalsIgnoreCase(env("TRIBUTARY_CDS", "on")));
        try {
            launcher.startAll();
        } catch (RuntimeException e) {
            System.err.println("Start failed: " + e.getMessage());
            down(home);
            return 1;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        for (ServiceSpec s : layout.services()) {
            System.out.printf("%-12s http://%s:%d  pid %d%n", s.name(), host, s.port(), launcher.process(s.name()).pid());
        }
        String gw = layout.gatewayUrl();
        System.out.println();
        System.out.printf("Tributary is ready (%.1f s).%n", took.toMillis() / 1000.0);
        System.out.println("  Gateway     " + gw + "/api/v1");
        System.out.println("  Swagger UI  " + gw + "/swagger-ui.html");
        System.out.println("  OpenAPI     " + gw + "/v3/api-docs");
        System.out.println("  Health      " + gw + "/actuator/health");
        System.out.println("  Logs        " + home.resolve("logs"));
        System.out.println("Stop it with: bin/tributary down");
        return 0;
    }

    static int down(Path home) throws IOException {
        List<ManagedProcess> running = runningProcesses(home);
        // Stop in reverse start order: gateway and routing first, Redis last.
        List<String> order = new ArrayList<>(List.of(ClusterLayout.GATEWAY, ClusterLayout.ROUTING));
        running.stream().map(ManagedProcess::name).filter(n -> n.startsWith(ClusterLayout.STORAGE_PREFIX)).sorted().forEach(order::add);
        order.add(ClusterLayout.COORDINATOR);
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

    private static String newToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
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
