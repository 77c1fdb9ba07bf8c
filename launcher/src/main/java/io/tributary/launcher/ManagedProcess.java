package io.tributary.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** A cluster process known by pid: started by us now, or found again through its pid file. */
public record ManagedProcess(String name, long pid, Path logFile) {
    /** Marker on every service's command line, so we never signal a pid that was reused. */
    public static final String MARKER = "-Dtributary.service=";

    public Optional<ProcessHandle> handle() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::isOurs);
    }

    private boolean isOurs(ProcessHandle h) {
        String cmd = h.info().commandLine().orElse("");
        // redis-server carries no JVM marker; accept it by its binary name.
        return cmd.isEmpty() || cmd.contains(MARKER + name) || cmd.contains("redis-server");
    }

    public boolean isAlive() {
        return handle().isPresent();
    }

    /** SIGKILL, as a crash would: no shutdown hooks, no flush. */
    public void kill() {
        handle().ifPresent(h -> {
            h.destroyForcibly();
            await(h, Duration.ofSeconds(10));
        });
    }

    /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
    public void stop(Duration grace) {
        handle().ifPresent(h -> {
            h.destroy();
            if (!await(h, grace)) {
                h.destroyForcibly();
                await(h, Duration.ofSeconds(10));
            }
        });
    }

    private static boolean await(ProcessHandle h, Duration timeout) {
        try {
            h.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }
}
