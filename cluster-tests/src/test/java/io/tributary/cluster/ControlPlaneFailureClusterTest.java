package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.EmbeddedRedis;
import io.tributary.launcher.RedisEndpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The control plane failing under an acks=all keyed load, against real processes and a real
 * Redis: the active coordinator killed (the standby takes over within two controller lease
 * periods, publishing goes on), and Redis stopped longer than a lease (no elections, writes
 * stop with 503 once leases cannot be renewed, reads below the high watermark go on, and
 * everything resumes by itself). Nothing acknowledged is lost in either.
 */
class ControlPlaneFailureClusterTest {
    /** The coordinators' controller lease (coordinator application.yml). */
    static final Duration CONTROLLER_LEASE = Duration.ofSeconds(6);
    /** Longer than a node lease (4 s) and the controller lease. */
    static final Duration REDIS_PAUSE = Duration.ofSeconds(9);

    static TestCluster cluster;
    static Api api;
    static Replicas replicas;

    @BeforeAll
    static void start() {
        cluster = TestCluster.get();
        api = cluster.api();
        replicas = new Replicas(cluster);
    }

    @Test
    void theStandbyCoordinatorTakesOverWithinTwoLeasePeriodsWhilePublishingGoesOn() throws Exception {
        String topic = "controller-kill";
        replicas.createTopic(topic, 3);
        String active = cluster.activeCoordinator();
        KeyedLoad load = new KeyedLoad(api, topic, 2, 10, Duration.ofMillis(50)).start();
        long takeoverMs;
        String successor;
        try {
            load.awaitAcked(200);
            cluster.launcher().kill(active);
            long killed = System.nanoTime();
            successor = awaitController(c -> !c.equals(active), Duration.ofSeconds(30));
            takeoverMs = (System.nanoTime() - killed) / 1_000_000;
            load.awaitAcked(load.ackedCount() + 200);
            // The new controller writes metadata: a topic created now exists.
            assertThat(api.put(Replicas.V + "/topics/after-takeover", "{\"partitions\":1}").status()).isEqualTo(201);
        } finally {
            load.close();
            replicas.restart(active);
        }
        KeyedLoad.Verdict v = load.verify(3);
        System.out.printf("active coordinator %s killed: %s took over after %d ms (two lease periods: %d ms); "
                        + "%d acknowledged, missing %d, duplicates %d, failed attempts %s%n", active, successor, takeoverMs,
                2 * CONTROLLER_LEASE.toMillis(), v.acknowledged(), v.missing(), v.duplicates(), load.failureTypes);
        assertThat(takeoverMs).isLessThan(2 * CONTROLLER_LEASE.toMillis());
        assertThat(v.missing()).isZero();
        assertThat(v.duplicates()).isZero();
        load.assertOnlyRetriableFailures();
        // The restarted coordinator stands by; the successor stays in charge.
        assertThat(cluster.activeCoordinator()).isEqualTo(successor);
    }

    @Test
    void redisStoppedLongerThanALeaseLosesNothingAndTheClusterRecoversByItself() throws Exception {
        String topic = "redis-pause";
        replicas.createTopic(topic, 3);
        KeyedLoad load = new KeyedLoad(api, topic, 2, 10, Duration.ofMillis(50)).start();
        int readsDuringPause = 0;
        double fencedBefore = fencedRequests();
        int ackedBefore;
        int ackedDuring;
        long recoveredMs;
        try {
            load.awaitAcked(200);
            long hw = replicas.partition(topic, 0).get("highWatermark").asLong();
            ackedBefore = load.ackedCount();
            long paused = System.nanoTime();
            try (RedisPause pause = RedisPause.of(cluster.redis(), REDIS_PAUSE)) {
                // Reads of what was committed go on from the leaders while Redis is away.
                while (System.nanoTime() - paused < REDIS_PAUSE.minusSeconds(1).toNanos()) {
                    Api.Response r = api.get(Replicas.V + "/topics/" + topic + "/partitions/0/messages?offset=0&limit=10");
                    assertThat(r.status()).as("a read while Redis is stopped: %s", r.body()).isEqualTo(200);
                    assertThat(r.json().get("messages").size()).isEqualTo((int) Math.min(10, hw));
                    readsDuringPause++;
                    Replicas.sleep(500);
                }
                ackedDuring = load.ackedCount() - ackedBefore;
            }
            long resumed = System.nanoTime();
            int ackedAtResume = load.ackedCount();
            load.awaitAcked(ackedAtResume + 200);
            recoveredMs = (System.nanoTime() - resumed) / 1_000_000;
        } finally {
            load.close();
        }
        for (int p = 0; p < 3; p++) {
            replicas.assertByteIdentical(topic, p);
        }
        KeyedLoad.Verdict v = load.verify(3);
        System.out.printf("Redis stopped for %d ms (%s): %d reads served meanwhile, %d publishes acknowledged during the pause "
                        + "(before the leases ran out), %.0f writes refused by leaders without a lease, publishing back %d ms after it resumed; %d acknowledged, missing %d, "
                        + "duplicates %d, failed attempts %s%n", REDIS_PAUSE.toMillis(), cluster.redis().origin(), readsDuringPause,
                ackedDuring, fencedRequests() - fencedBefore, recoveredMs, v.acknowledged(), v.missing(), v.duplicates(), load.failureTypes);
        assertThat(readsDuringPause).isGreaterThan(5);
        assertThat(v.missing()).isZero();
        assertThat(v.duplicates()).isZero();
        load.assertOnlyRetriableFailures();
        assertThat(fencedRequests() - fencedBefore).as("leaders refused writes while they could not renew their leases")
                .isPositive();
    }

    /** Requests the storage nodes refused because they could not vouch for their leases, all nodes together. */
    static double fencedRequests() {
        double sum = 0;
        for (var node : cluster.layout().storageNodes()) {
            sum += replicas.fencedRequests(node.name());
        }
        return sum;
    }

    /** Waits until the gateway names a controller matching {@code which}. */
    static String awaitController(java.util.function.Predicate<String> which, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Api.Response r = api.get("/api/v1/cluster");
                if (r.status() == 200 && which.test(r.json().get("controller").asString())) {
                    return r.json().get("controller").asString();
                }
            } catch (RuntimeException e) {
                // the gateway may be failing over to the other coordinator itself
            }
            Replicas.sleep(100);
        }
        throw new AssertionError("no new controller within " + within);
    }

    /**
     * Redis not answering for a while: SIGSTOP and SIGCONT of the embedded server's process,
     * or, for a Redis this test did not start (REDIS_URL, a container), {@code CLIENT PAUSE
     * <ms> ALL}, which holds every client's commands the same way.
     */
    static final class RedisPause implements AutoCloseable {
        private final Long pid;
        private final long until;

        private RedisPause(Long pid, long until) {
            this.pid = pid;
            this.until = until;
        }

        static RedisPause of(RedisEndpoint redis, Duration d) throws IOException {
            long until = System.nanoTime() + d.toNanos();
            if (redis instanceof EmbeddedRedis embedded) {
                Replicas.signal(embedded.pid(), "STOP");
                return new RedisPause(embedded.pid(), until);
            }
            URI uri = URI.create(redis.url());
            try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
                String ms = Long.toString(d.toMillis());
                OutputStream out = s.getOutputStream();
                out.write(("*4\r\n$6\r\nCLIENT\r\n$5\r\nPAUSE\r\n$" + ms.length() + "\r\n" + ms + "\r\n$3\r\nALL\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(s.getInputStream().read()).as("CLIENT PAUSE answered +OK").isEqualTo('+');
            }
            return new RedisPause(null, until);
        }

        /** Waits out the pause, then resumes the process (a CLIENT PAUSE ends by itself). */
        @Override
        public void close() {
            while (System.nanoTime() < until) {
                Replicas.sleep(50);
            }
            if (pid != null) {
                Replicas.signal(pid, "CONT");
            }
        }
    }
}
