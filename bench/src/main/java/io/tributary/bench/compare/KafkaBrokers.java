package io.tributary.bench.compare;

import io.tributary.launcher.Ports;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.apache.kafka.common.Uuid;

/**
 * Kafka brokers in KRaft mode, each a JVM of its own started from the classpath that
 * {@code bench/run} asks Maven for ({@code bench/kafka/pom.xml}, written to
 * {@code bench/target/kafka-broker.classpath}); every node is broker and controller, as in
 * Kafka's quick start. The storage of each is formatted first ({@code kafka.tools.StorageTool}).
 */
final class KafkaBrokers implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    private KafkaBrokers() {
    }

    /**
     * {@code n} brokers under {@code dir}; {@code flushEveryMessage}: {@code log.flush.interval.messages=1}
     * (fsync before the acknowledgement, Kafka's T2).
     */
    static KafkaBrokers start(Path dir, Path classpathFile, int n, boolean flushEveryMessage) throws Exception {
        String classpath = Files.readString(classpathFile).trim();
        KafkaBrokers brokers = new KafkaBrokers();
        List<Integer> controllers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            brokers.ports.add(Ports.free());
            controllers.add(Ports.free());
        }
        StringJoiner voters = new StringJoiner(",");
        for (int i = 0; i < n; i++) {
            voters.add((i + 1) + "@127.0.0.1:" + controllers.get(i));
        }
        String clusterId = Uuid.randomUuid().toString();
        for (int i = 0; i < n; i++) {
            Path home = Files.createDirectories(dir.resolve("kafka-" + (i + 1)));
            Path config = home.resolve("server.properties");
            int replicas = Math.min(3, n);
            Files.writeString(config, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=" + (i + 1),
                    "controller.quorum.voters=" + voters,
                    "listeners=PLAINTEXT://127.0.0.1:" + brokers.ports.get(i) + ",CONTROLLER://127.0.0.1:" + controllers.get(i),
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokers.ports.get(i),
                    "controller.listener.names=CONTROLLER",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "inter.broker.listener.name=PLAINTEXT",
                    "log.dirs=" + home.resolve("data"),
                    "offsets.topic.replication.factor=" + replicas,
                    "transaction.state.log.replication.factor=" + replicas,
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=" + replicas,
                    "group.initial.rebalance.delay.ms=0",
                    flushEveryMessage ? "log.flush.interval.messages=1" : "", ""));
            run(classpath, home.resolve("format.log"), "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString())
                    .waitFor();
            brokers.processes.add(start(classpath, home.resolve("broker.log"), "kafka.Kafka", config.toString()));
        }
        for (int port : brokers.ports) {
            awaitListening(port, Duration.ofMinutes(2));
        }
        return brokers;
    }

    String bootstrap() {
        StringJoiner j = new StringJoiner(",");
        ports.forEach(p -> j.add("127.0.0.1:" + p));
        return j.toString();
    }

    List<Long> pids() {
        return processes.stream().map(Process::pid).toList();
    }

    private static Process run(String classpath, Path log, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", classpath, main));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static Process start(String classpath, Path log, String main, String config) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-cp",
                classpath, main, config));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void awaitListening(int port, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("no Kafka broker listening on " + port + " within " + within);
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
