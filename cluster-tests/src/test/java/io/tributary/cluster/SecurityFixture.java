package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * What the security tests share, made once per test JVM: vhosts {@code sec-a} and {@code sec-b},
 * topics, exchanges and bindings in {@code sec-a}, and users with one power each (their API keys
 * by user name; {@code revoked}'s key is revoked at once), plus raw HTTP that sends every header
 * exactly as given and reads an answer's head even when it is a stream.
 */
final class SecurityFixture {
    static final String VA = "/api/v1/vhosts/sec-a";
    private static SecurityFixture instance;
    final TestCluster cluster = TestCluster.get();
    final Api admin = cluster.api();
    private final Map<String, String> keys = new LinkedHashMap<>();

    static synchronized SecurityFixture get() {
        if (instance == null) {
            instance = new SecurityFixture();
            instance.setUp();
        }
        return instance;
    }

    /** Every API key made so far, by user. */
    java.util.Collection<String> allKeys() {
        return keys.values();
    }

    /** The API key of {@code user}, made in setUp (or by {@link #user}). */
    String key(String user) {
        return keys.get(user);
    }

    private void setUp() {
        for (String v : List.of("sec-a", "sec-b")) {
            assertThat(admin.put("/api/v1/vhosts/" + v, null).status()).isIn(200, 201);
        }
        for (String t : List.of("orders", "secret", "orders-archive")) {
            assertThat(admin.put(VA + "/topics/" + t, "{\"partitions\":1}").status()).isIn(200, 201);
        }
        assertThat(admin.put(VA + "/topics/orders/subscriptions/workers", "{\"type\":\"group\",\"startAt\":\"earliest\"}").status()).isIn(200, 201);
        assertThat(admin.put(VA + "/topics/orders/subscriptions/q", "{\"type\":\"shared\"}").status()).isIn(200, 201);
        for (String x : List.of("ex", "ex-all")) {
            assertThat(admin.put(VA + "/exchanges/" + x, "{\"type\":\"fanout\"}").status()).isIn(200, 201);
        }
        bind("ex", "orders");
        bind("ex-all", "orders");
        bind("ex-all", "secret");

        user("reader", List.of(), "sec-a", "", "", ".*");
        user("writer", List.of(), "sec-a", "", ".*", "");
        user("configurer", List.of(), "sec-a", ".*", "", "");
        user("other", List.of(), "sec-b", ".*", ".*", ".*");
        user("operator", List.of("administrator"), null, null, null, null);
        user("revoked", List.of(), "sec-a", ".*", ".*", ".*");
        user("limited", List.of(), "sec-a", "", "orders|ex|ex-all", "ex|ex-all");
        String revokedId = keys.get("revoked").substring(4, 20);
        assertThat(admin.delete("/api/v1/users/revoked/api-keys/" + revokedId).status()).isEqualTo(204);
    }

    private void bind(String exchange, String topic) {
        Api.Response r = admin.postJson(VA + "/exchanges/" + exchange + "/bindings", "{\"destination\":\"" + topic + "\"}");
        assertThat(r.status()).as(r.body()).isIn(200, 201);
    }

    void user(String name, List<String> tags, String vhost, String configure, String write, String read) {
        Api.Response u = admin.put("/api/v1/users/" + name, Api.JSON.writeValueAsString(Map.of("tags", tags)));
        assertThat(u.status()).as(u.body()).isIn(200, 201);
        if (vhost != null) {
            Api.Response p = admin.put("/api/v1/vhosts/" + vhost + "/permissions/" + name,
                    Api.JSON.writeValueAsString(Map.of("configure", configure, "write", write, "read", read)));
            assertThat(p.status()).as(p.body()).isEqualTo(200);
        }
        Api.Response k = admin.postJson("/api/v1/users/" + name + "/api-keys", "{}");
        assertThat(k.status()).as(k.body()).isEqualTo(201);
        keys.put(name, k.json().get("key").asString());
    }

    static void assertProblem(Head h, String type) {
        assertThat(h.headers().get("content-type")).as(h.toString()).startsWith("application/problem+json");
        JsonNode doc = Api.JSON.readTree(h.body());
        assertThat(doc.get("type").asString()).isEqualTo(type);
        assertThat(doc.get("detail").asString()).isNotBlank();
    }

    long endOffset(String topic) {
        return admin.get(VA + "/topics/" + topic).json().get("partitions").get(0).get("endOffset").asLong();
    }

    // ---- raw requests: every header exactly as given, and the answer's head even for a stream ----

    record Head(int status, Map<String, String> headers, String body) {
    }

    static String upgradeHeaders() {
        return "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    /** Sends a raw request and reads the status and headers, and the body when it has a length (not a stream's). */
    Head head(String request) throws IOException {
        URI base = URI.create(admin.base());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String status = RawHttp.line(in);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = RawHttp.line(in); !l.isEmpty(); l = RawHttp.line(in)) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            String length = headers.get("content-length");
            String body = length == null ? "" : new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
            return new Head(Integer.parseInt(status.split(" ")[1]), headers, body);
        }
    }
}
