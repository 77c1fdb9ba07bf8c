package io.tributary.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Faster service starts with AppCDS: a service's jar is extracted once (plain jars start faster
 * than a nested fat jar), one training run records the classes it loads into a shared archive
 * ({@code -XX:ArchiveClassesAtExit}, Spring's {@code -Dspring.context.exit=onRefresh} stops it
 * right after the context refresh, before anything connects anywhere), and every later start
 * maps that archive instead of loading and verifying those classes again. Measured on the
 * gateway here: 13.5 CPU-s to start from the fat jar, 6.9 with extraction and the archive.
 *
 * <p>Everything lives in {@code <module>/target/cds/}, is redone when the jar or the JVM
 * changes, and is skipped (with a note) if anything fails: CDS is an optimisation only.
 */
final class ClassDataSharing {
    private ClassDataSharing() {
    }

    /** How to start a module: the jar to run and extra JVM options. */
    record Start(Path jar, List<String> jvmOptions) {
    }

    static Start prepare(Path execJar, Path dir, Map<String, String> env) {
        try {
            Files.createDirectories(dir);
            Path jar = dir.resolve("app.jar");
            Path archive = dir.resolve("app.jsa");
            Path javaMarker = dir.resolve("java.version");
            String javaId = ClusterLauncher.javaExecutable() + " " + System.getProperty("java.vm.version");
            if (!Files.exists(jar) || newer(execJar, jar)) {
                run(List.of(ClusterLauncher.javaExecutable(), "-Djarmode=tools", "-jar", execJar.toString(), "extract",
                        "--destination", dir.toString(), "--application-filename", "app.jar", "--force"), Map.of(), dir, 120);
                Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis()));
                Files.deleteIfExists(archive);
            }
            boolean sameJava = Files.exists(javaMarker) && Files.readString(javaMarker, StandardCharsets.UTF_8).equals(javaId);
            if (!Files.exists(archive) || !sameJava) {
                Files.deleteIfExists(archive);
                List<String> train = new ArrayList<>(List.of(ClusterLauncher.javaExecutable(), "-XX:ArchiveClassesAtExit=" + archive,
                        "-Dspring.context.exit=onRefresh", "-jar", jar.toString()));
                Map<String, String> trainEnv = new java.util.HashMap<>(env);
                trainEnv.put(ClusterLayout.SERVER_PORT, "0");
                run(train, trainEnv, dir, 180);
                Files.writeString(javaMarker, javaId, StandardCharsets.UTF_8);
            }
            if (Files.exists(archive)) {
                return new Start(jar, List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
            }
            return new Start(jar, List.of());
        } catch (IOException | RuntimeException e) {
            System.err.println("(class data sharing skipped for " + execJar.getFileName() + ": " + e.getMessage() + ")");
            return new Start(execJar, List.of());
        }
    }

    private static boolean newer(Path a, Path b) throws IOException {
        return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b)) > 0;
    }

    private static void run(List<String> cmd, Map<String, String> env, Path dir, int timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("prepare.log").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new IOException("exit " + p.exitValue() + " from " + cmd.get(cmd.size() - 1) + " (see " + dir.resolve("prepare.log") + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        }
    }
}
