package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Limits that hold before authentication and before buffering: body size, slow clients, connections per address. */
class LimitsClusterTest {
    private final Api api = TestCluster.get().api();

    @Test
    void anOversizedBodyIsRefusedAtOnceWithoutReadingItOrAskingWhoSentIt() throws Exception {
        long t0 = System.nanoTime();
        // No credential, 100 MB announced, none of it sent: the answer cannot have waited for the body.
        RawHttp.Response r = RawHttp.send(api.base(), "POST /api/v1/vhosts/default/topics/orders/messages HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n[");
        double ms = (System.nanoTime() - t0) / 1e6;
        assertThat(r.status()).as(r.body()).isEqualTo(413);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.body()).contains("payload-too-large").contains("100000000");
        assertThat(ms).as("ms to the 413").isLessThan(1_000);
    }

    @Test
    void aSlowLorisRequestIsCutOffAfterTheReadTimeout() throws Exception {
        api.topicWithSubscription("limits-slow", 1, null);
        URI base = URI.create(api.base());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            long t0 = System.nanoTime();
            out.write(("POST /api/v1/vhosts/default/topics/limits-slow/messages HTTP/1.1\r\nHost: localhost\r\n" + api.authorizationLine()
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n[{\"payload\":1").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] answer = in.readAllBytes(); // until the gateway closes the connection
            double seconds = (System.nanoTime() - t0) / 1e9;
            String text = new String(answer, StandardCharsets.ISO_8859_1);
            System.out.printf("slow-loris request: connection closed after %.1f s, %s%n", seconds,
                    text.isEmpty() ? "without an answer" : "answered " + text.lines().findFirst().orElse(""));
            // read-timeout is 10 s: the connection is not held much past it (it was held 90 s with no answer before).
            assertThat(seconds).isBetween(9.0, 12.0);
            // An answer, when the handler could still give one, is the 408 problem (the publish path's body reader
            // sees the connection end instead, and the gateway closes it without one).
            if (!text.isEmpty()) {
                assertThat(text).startsWith("HTTP/1.1 408").contains("request-timeout");
            }
        }
    }

    @Test
    void aStalledJsonBodyIsAnswered408AndTheConnectionClosed() throws Exception {
        URI base = URI.create(api.base());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
            s.setSoTimeout(30_000);
            long t0 = System.nanoTime();
            s.getOutputStream().write(("PUT /api/v1/users/slow-loris HTTP/1.1\r\nHost: localhost\r\n" + api.authorizationLine()
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"tags\":").getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            RawHttp.Response answer = RawHttp.read(in);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(seconds).isBetween(9.0, 12.0);
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.header("content-type")).startsWith("application/problem+json");
            assertThat(answer.body()).contains("request-timeout");
            assertThat(in.read()).as("closed after the 408").isEqualTo(-1);
        }
        assertThat(api.get("/api/v1/users/slow-loris").status()).as("nothing was stored half-way").isEqualTo(404);
    }

    @Test
    void oneClientAddressCannotTakeEveryConnection() throws Exception {
        URI base = URI.create(api.base());
        List<Socket> held = new ArrayList<>();
        try {
            RawHttp.Response refused = null;
            for (int i = 0; i < 400 && refused == null; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), base.getPort());
                held.add(s);
                if (i >= 200 && i % 10 == 0) { // past 200 sockets, ask on a new one every tenth time
                    RawHttp.Response r = RawHttp.send(api.base(), "GET /api/v1/whoami HTTP/1.1\r\nHost: localhost\r\n"
                            + api.authorizationLine() + "Connection: close\r\n\r\n");
                    if (r.status() == 429) {
                        refused = r;
                    }
                }
            }
            assertThat(refused).as("a 429 once 256 connections from this address are open").isNotNull();
            assertThat(held.size()).as("connections open when the first was refused").isBetween(250, 270);
            assertThat(refused.header("content-type")).startsWith("application/problem+json");
            assertThat(refused.header("retry-after")).isEqualTo("1");
            assertThat(refused.body()).contains("rate-limited").contains("max-per-client");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        // Closed connections are counted out again: the client is served as before.
        long deadline = System.nanoTime() + 10_000_000_000L;
        int status = 0;
        while (System.nanoTime() < deadline && status != 200) {
            status = api.get("/api/v1/whoami").status();
            if (status != 200) {
                Thread.sleep(50);
            }
        }
        assertThat(status).isEqualTo(200);
    }

}
