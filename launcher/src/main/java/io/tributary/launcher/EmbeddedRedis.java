package io.tributary.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A real redis-server process from the binary that ships inside
 * {@code com.github.codemonstur:embedded-redis}. We only take the binary from that jar and
 * run it ourselves, so the launcher can leave it running after it exits (like every other
 * cluster process) and stop it later by pid.
 */
public final class EmbeddedRedis implements RedisEndpoint {
    private final Process process;
    private final int port;

    private EmbeddedRedis(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts redis-server on {@code port}. With {@code persistent} it keeps an append-only file
     * in {@code dir} (what the local cluster wants); without, it keeps nothing on disk (tests).
     */
    public static EmbeddedRedis start(Path binDir, Path dir, int port, boolean persistent, Path logFile) {
        try {
            Path binary = extractBinary(binDir);
            Files.createDirectories(dir);
            List<String> cmd = new ArrayList<>(List.of(binary.toString(),
                    "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toAbsolutePath().toString(),
                    "--save", "", "--daemonize", "no", "--protected-mode", "no"));
            cmd.addAll(persistent ? List.of("--appendonly", "yes", "--appendfsync", "everysec") : List.of("--appendonly", "no"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (logFile != null) {
                Files.createDirectories(logFile.getParent());
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            } else {
                pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            Process p = pb.start();
            waitForPort(p, port, Duration.ofSeconds(20));
            return new EmbeddedRedis(p, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded redis-server", e);
        }
    }

    /** Copies the platform's redis-server out of the embedded-redis jar (once) and returns it. */
    public static Path extractBinary(Path binDir) throws IOException {
        String resource = resourceName();
        Path target = binDir.resolve(resource);
        if (Files.isExecutable(target)) {
            return target;
        }
        Files.createDirectories(binDir);
        try (InputStream in = EmbeddedRedis.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IOException("embedded-redis has no binary " + resource + " for this platform; set REDIS_URL");
            }
            Path tmp = Files.createTempFile(binDir, "redis-server", ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            tmp.toFile().setExecutable(true);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }

    static String resourceName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean arm = arch.contains("aarch64") || arch.contains("arm");
        if (os.contains("mac")) {
            return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
        }
        if (os.contains("linux")) {
            return arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
        }
        throw new IllegalStateException("no embedded redis-server for " + os + "/" + arch + "; set REDIS_URL");
    }

    static void waitForPort(Process p, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + p.exitValue() + " (port " + port + " taken?)");
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("redis-server did not listen on " + port + " within " + timeout);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public String origin() {
        return "embedded";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
