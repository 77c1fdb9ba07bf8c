package io.tributary.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Starts the processes of a {@link ClusterLayout}, each as its own JVM running its module's
 * jar, and waits until each answers ready on Actuator's readiness probe. Used by
 * {@code bin/tributary} (processes outlive the launcher; pid files let {@code down} find
 * them) and by the cluster tests (which also kill and restart them).
 *
 * <p>Layout under {@code home}: {@code run/<name>.pid}, {@code logs/<name>.log}; storage data
 * goes wherever the layout's data dir points.
 */
public final class ClusterLauncher implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private final Path repoRoot;
    private final Path home;
    private volatile ClusterLayout layout;
    private final List<String> jvmOptions;
    private final Map<String, String> extraEnv;
    private final Map<String, ManagedProcess> processes = new LinkedHashMap<>();
    private final Map<String, ClassDataSharing.Start> prepared = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean classDataSharing;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public ClusterLauncher(Path repoRoot, Path home, ClusterLayout layout, List<String> jvmOptions) {
        this(repoRoot, home, layout, jvmOptions, Map.of());
    }

    /**
     * @param extraEnv settings added to every service's environment on top of the layout's
     *     (tests use it to shrink segments and shorten intervals)
     */
    public ClusterLauncher(Path repoRoot, Path home, ClusterLayout layout, List<String> jvmOptions, Map<String, String> extraEnv) {
        this.repoRoot = repoRoot.toAbsolutePath().normalize();
        this.home = home.toAbsolutePath().normalize();
        this.layout = layout;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.extraEnv = Map.copyOf(extraEnv);
    }

    /**
     * JVM settings for each service: small heaps so six JVMs fit on a laptop, and
     * TRIBUTARY_JVM_OPTS appended (for example -XX:TieredStopAtLevel=1 for faster starts).
     */
    public static List<String> defaultJvmOptions() {
        List<String> opts = new ArrayList<>(List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"));
        String extra = System.getenv("TRIBUTARY_JVM_OPTS");
        if (extra != null && !extra.isBlank()) {
            opts.addAll(List.of(extra.trim().split("\\s+")));
        }
        return opts;
    }

    public ClusterLayout layout() {
        return layout;
    }

    /** Adds one more storage node to the layout (see {@link ClusterLayout#withStorageNode}) and returns its name; not started. */
    public synchronized String addStorageNode(int port) {
        layout = layout.withStorageNode(port);
        List<ServiceSpec> nodes = layout.storageNodes();
        return nodes.get(nodes.size() - 1).name();
    }

    /**
     * Starts services with an AppCDS archive per module (prepared on first use and kept in
     * {@code <module>/target/cds/}): slower the first time after a build, faster after.
     */
    public ClusterLauncher withClassDataSharing(boolean enabled) {
        this.classDataSharing = enabled;
        return this;
    }

    /** Starts the coordinators, then every other service in parallel; returns when all are ready. */
    public void startAll() {
        startAll(name -> true);
    }

    /** Like {@link #startAll()}, for the services {@code which} accepts (the coordinators always). */
    public void startAll(java.util.function.Predicate<String> which) {
        java.util.function.Predicate<String> wanted = which.or(ClusterLauncher::isCoordinator);
        if (classDataSharing) {
            // Prepare every module up front, one after another: training runs share the cores badly.
            for (ServiceSpec s : layout.services()) {
                if (wanted.test(s.name())) {
                    prepared.computeIfAbsent(s.module(), m -> ClassDataSharing.prepare(jarOf(s),
                            repoRoot.resolve(m).resolve("target").resolve("cds"), s.env()));
                }
            }
        }
        startInOrder(layout.services().stream().map(ServiceSpec::name).filter(wanted).toList());
    }

    private static boolean isCoordinator(String name) {
        return name.startsWith(ClusterLayout.COORDINATOR_PREFIX);
    }

    /**
     * Starts {@code names}: the coordinators among them first (the others need a controller to
     * become ready), then the rest in parallel; returns when every one is ready.
     */
    private void startInOrder(List<String> names) {
        startTogether(names.stream().filter(ClusterLauncher::isCoordinator).toList());
        startTogether(names.stream().filter(n -> !isCoordinator(n)).toList());
    }

    private void startTogether(List<String> names) {
        names.forEach(this::start);
        try {
            CompletableFuture.allOf(names.stream()
                    .map(n -> CompletableFuture.runAsync(() -> awaitReady(n)))
                    .toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Takes a process started earlier (found through its pid file) as this launcher's own. */
    public synchronized void adopt(ManagedProcess running) {
        processes.put(running.name(), running);
    }

    /**
     * Starts every service that is not running (the coordinator first, and waits until each
     * started one is ready): what {@code bin/tributary up} does, so it also brings a crashed
     * process back. Returns the names it started.
     */
    public List<String> startMissing() {
        List<String> missing = layout.services().stream().map(ServiceSpec::name)
                .filter(n -> processes.get(n) == null || !processes.get(n).isAlive()).toList();
        startInOrder(missing);
        return missing;
    }

    /** Starts one service's process (without waiting for it to be ready). */
    public synchronized ManagedProcess start(String name) {
        ServiceSpec spec = layout.service(name);
        ManagedProcess existing = processes.get(name);
        if (existing != null && existing.isAlive()) {
            throw new IllegalStateException(name + " is already running as pid " + existing.pid());
        }
        Path execJar = jarOf(spec);
        if (!Files.isRegularFile(execJar)) {
            throw new IllegalStateException("missing " + execJar + ": build first (./mvnw -DskipTests package)");
        }
        Path jar = execJar;
        List<String> cdsOptions = List.of();
        if (classDataSharing) {
            ClassDataSharing.Start cds = prepared.computeIfAbsent(spec.module(), m -> ClassDataSharing.prepare(execJar,
                    repoRoot.resolve(m).resolve("target").resolve("cds"), spec.env()));
            jar = cds.jar();
            cdsOptions = cds.jvmOptions();
        }
        try {
            Path logs = Files.createDirectories(home.resolve("logs"));
            Path run = Files.createDirectories(home.resolve("run"));
            Path log = logs.resolve(name + ".log");
            List<String> cmd = new ArrayList<>();
            cmd.add(javaExecutable());
            cmd.add(ManagedProcess.MARKER + name);
            cmd.addAll(jvmOptions);
            cmd.addAll(cdsOptions);
            cmd.add("-jar");
            cmd.add(jar.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(spec.env());
            pb.environment().putAll(extraEnv);
            Process p = pb.start();
            ManagedProcess mp = new ManagedProcess(name, p.pid(), log);
            Files.writeString(run.resolve(name + ".pid"), Long.toString(p.pid()), StandardCharsets.UTF_8);
            processes.put(name, mp);
            return mp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** A service's log file ({@code logs/<name>.log} under the home folder). */
    public Path logOf(String name) {
        return home.resolve("logs").resolve(name + ".log");
    }

    public Path jarOf(ServiceSpec spec) {
        return repoRoot.resolve(spec.module()).resolve("target").resolve(spec.jarFileName());
    }

    /** Polls the readiness probe until it answers 200; fails fast if the process died. */
    public void awaitReady(String name) {
        ServiceSpec spec = layout.service(name);
        ManagedProcess mp = processes.get(name);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        URI uri = URI.create(spec.readinessUrl(layout.host()));
        while (System.nanoTime() < deadline) {
            if (mp != null && !mp.isAlive()) {
                throw new IllegalStateException(name + " exited before it was ready; last log lines:\n" + tail(mp.logFile(), 40));
            }
            if (isReady(uri)) {
                return;
            }
            EmbeddedRedis.sleep(200);
        }
        throw new IllegalStateException(name + " not ready within " + READY_TIMEOUT + "; last log lines:\n"
                + (mp == null ? "" : tail(mp.logFile(), 40)));
    }

    private final Map<Integer, HttpClient> tlsClients = new java.util.concurrent.ConcurrentHashMap<>();

    /** A client for the HTTPS service on {@code port} that trusts exactly that service's own certificate. */
    private HttpClient tlsClient(int port) {
        return tlsClients.computeIfAbsent(port, p -> {
            ServiceSpec spec = layout.services().stream().filter(s -> s.port() == p).findFirst().orElseThrow();
            Path store = Path.of(spec.env().get(ServiceSpec.TLS_KEY_STORE).replaceFirst("^file:", ""));
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                    .sslContext(DevCertificate.trusting(store, spec.env().get(ServiceSpec.TLS_KEY_STORE_PASSWORD))).build();
        });
    }

    public boolean isReady(String name) {
        return isReady(URI.create(layout.service(name).readinessUrl(layout.host())));
    }

    private boolean isReady(URI uri) {
        try {
            HttpClient client = uri.getScheme().equals("https") ? tlsClient(uri.getPort()) : http;
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** kill -9: the process gets no chance to flush or deregister. */
    public void kill(String name) {
        ManagedProcess mp = processes.get(name);
        if (mp != null) {
            mp.kill();
        }
    }

    /** Graceful stop (SIGTERM). */
    public void stop(String name) {
        ManagedProcess mp = processes.get(name);
        if (mp != null) {
            mp.stop(Duration.ofSeconds(15));
        }
    }

    public ManagedProcess process(String name) {
        return processes.get(name);
    }

    /** Stops every process this launcher started, the gateway first and the coordinator last. */
    @Override
    public void close() {
        List<String> names = new ArrayList<>(processes.keySet());
        java.util.Collections.reverse(names);
        names.forEach(this::stop);
    }

    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
