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
 * The authorisation matrix: every endpoint family by every kind of caller an attacker or a
 * misconfigured client would be (no credential, an unknown, malformed or revoked key, broken
 * JWTs, the wrong vhost, each single permission, an administrator without data permissions,
 * the administrator). Each answer is derived from the caller's powers: 401 or 403 problem+json
 * when refused (WebSocket: a refused upgrade), the family's own answer when allowed, never a 5xx.
 */
class SecurityMatrixClusterTest {
    private final SecurityFixture fx = SecurityFixture.get();
    private final TestCluster cluster = fx.cluster;
    private final Api admin = fx.admin;
    private static final String VA = SecurityFixture.VA;

    /** What an identity may do in vhost sec-a (ADMIN: the administrator tag). */
    enum Power { ADMIN, CONFIGURE, WRITE, READ }

    /** A caller of the matrix: its Authorization header (null: none) and its powers; {@code rejected}: refused as unauthenticated. */
    record Identity(String name, String authorization, Set<Power> powers, boolean rejected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** An endpoint family: one request, the powers it needs, and what it answers when allowed. */
    record Family(String name, String method, Function<Identity, String> path, String body, Set<Power> needs, Set<Integer> allowed,
            boolean stream) {
    }

    private List<Identity> identities() {
        Set<Power> none = EnumSet.noneOf(Power.class);
        String unknownKey = "trb_0123456789abcdef_" + "A".repeat(43);
        return List.of(
                new Identity("anonymous", null, none, true),
                new Identity("unknown key", "Bearer " + unknownKey, none, true),
                new Identity("malformed key", "Bearer trb_zz", none, true),
                new Identity("basic auth", "Basic YWRtaW46YWRtaW4=", none, true),
                new Identity("empty bearer", "Bearer ", none, true),
                new Identity("revoked key", "Bearer " + fx.key("revoked"), none, true),
                new Identity("expired jwt", "Bearer " + Jwts.expired("reader"), none, true),
                new Identity("alg none jwt", "Bearer " + Jwts.algNone("admin"), none, true),
                new Identity("wrong audience jwt", "Bearer " + Jwts.wrongAudience("admin"), none, true),
                new Identity("wrong issuer jwt", "Bearer " + Jwts.wrongIssuer("admin"), none, true),
                new Identity("bad signature jwt", "Bearer " + Jwts.badSignature("admin"), none, true),
                new Identity("jwt of an unknown user", "Bearer " + Jwts.valid("nobody-" + System.nanoTime(), 600), none, true),
                new Identity("wrong vhost", "Bearer " + fx.key("other"), none, false),
                new Identity("read-only", "Bearer " + fx.key("reader"), EnumSet.of(Power.READ), false),
                new Identity("read-only jwt", "Bearer " + Jwts.valid("reader", 600), EnumSet.of(Power.READ), false),
                new Identity("write-only", "Bearer " + fx.key("writer"), EnumSet.of(Power.WRITE), false),
                new Identity("configure-only", "Bearer " + fx.key("configurer"), EnumSet.of(Power.CONFIGURE), false),
                new Identity("administrator without permissions", "Bearer " + fx.key("operator"), EnumSet.of(Power.ADMIN), false),
                new Identity("administrator", "Bearer " + TestCluster.ADMIN_KEY, EnumSet.allOf(Power.class), false));
    }

    private static String slug(Identity id) {
        return id.name().replaceAll("[^a-z]+", "-");
    }

    private static List<Family> families() {
        Set<Integer> ok = Set.of(200);
        String one = "[{\"payload\":1}]";
        return List.of(
                new Family("list users", "GET", i -> "/api/v1/users", null, EnumSet.of(Power.ADMIN), ok, false),
                new Family("cluster view", "GET", i -> "/api/v1/cluster", null, EnumSet.of(Power.ADMIN), ok, false),
                new Family("vhost permissions", "GET", i -> VA + "/permissions", null, EnumSet.of(Power.ADMIN), ok, false),
                new Family("create vhost", "PUT", i -> "/api/v1/vhosts/sec-made-by-" + slug(i), null, EnumSet.of(Power.ADMIN), Set.of(201), false),
                new Family("whoami", "GET", i -> "/api/v1/whoami", null, EnumSet.noneOf(Power.class), ok, false),
                new Family("create topic", "PUT", i -> VA + "/topics/made-by-" + slug(i), "{\"partitions\":1}", EnumSet.of(Power.CONFIGURE), Set.of(201), false),
                new Family("delete topic", "DELETE", i -> VA + "/topics/missing-" + slug(i), null, EnumSet.of(Power.CONFIGURE), Set.of(404), false),
                new Family("declare exchange", "PUT", i -> VA + "/exchanges/x-" + slug(i), "{\"type\":\"fanout\"}", EnumSet.of(Power.CONFIGURE), Set.of(201), false),
                new Family("bind", "POST", i -> VA + "/exchanges/ex/bindings", "{\"destination\":\"orders\"}", EnumSet.of(Power.READ, Power.WRITE), Set.of(200, 201), false),
                new Family("publish to topic", "POST", i -> VA + "/topics/orders/messages", one, EnumSet.of(Power.WRITE), ok, false),
                new Family("publish to exchange", "POST", i -> VA + "/exchanges/ex/messages", one, EnumSet.of(Power.WRITE), ok, false),
                new Family("browse", "GET", i -> VA + "/topics/orders/partitions/0/messages", null, EnumSet.of(Power.READ), ok, false),
                new Family("look up by key", "GET", i -> VA + "/topics/orders/messages?key=k", null, EnumSet.of(Power.READ), ok, false),
                new Family("create subscription", "PUT", i -> VA + "/topics/orders/subscriptions/s-" + slug(i), "{\"type\":\"group\"}",
                        EnumSet.of(Power.CONFIGURE, Power.READ), Set.of(201), false),
                new Family("list topics", "GET", i -> VA + "/topics", null, EnumSet.noneOf(Power.class), ok, false),
                new Family("poll", "POST", i -> VA + "/topics/orders/subscriptions/q/poll?max=1", "", EnumSet.of(Power.READ), ok, false),
                new Family("ack", "POST", i -> VA + "/topics/orders/subscriptions/workers/ack", "{\"ids\":[\"0-0\"]}", EnumSet.of(Power.READ), ok, false),
                new Family("SSE", "GET", i -> VA + "/topics/orders/subscriptions/workers/events", null, EnumSet.of(Power.READ), ok, true),
                new Family("WebSocket", "GET", i -> "/ws/v1/vhosts/sec-a/topics/orders/subscriptions/workers", null, EnumSet.of(Power.READ),
                        Set.of(101), true));
    }

    /** "whoami" and "list topics" need no power but a permission in the vhost (list topics) or nothing (whoami). */
    private static boolean allowed(Family f, Identity id) {
        if (f.name().equals("list topics")) {
            return !id.powers().isEmpty() && !id.powers().equals(EnumSet.of(Power.ADMIN));
        }
        return id.powers().containsAll(f.needs());
    }

    @TestFactory
    Stream<DynamicTest> everyFamilyByEveryCaller() {
        List<DynamicTest> tests = new ArrayList<>();
        long[] stored = {0};
        long[] before = {0};
        tests.add(DynamicTest.dynamicTest("the end of 'orders' before", () -> before[0] = fx.endOffset("orders")));
        for (Family f : families()) {
            for (Identity id : identities()) {
                tests.add(DynamicTest.dynamicTest(f.name() + " as " + id, () -> {
                    SecurityFixture.Head h = request(f, id);
                    assertThat(h.status()).as("%s as %s: %s", f.name(), id, h).isLessThan(500);
                    if (id.rejected()) {
                        assertThat(h.status()).as("%s as %s: %s", f.name(), id, h).isEqualTo(401);
                        assertThat(h.headers().get("www-authenticate")).startsWith("Bearer");
                        SecurityFixture.assertProblem(h, "unauthorized");
                    } else if (allowed(f, id)) {
                        assertThat(h.status()).as("%s as %s: %s", f.name(), id, h).isIn(f.allowed());
                        if (f.name().startsWith("publish")) {
                            stored[0]++;
                        }
                    } else {
                        assertThat(h.status()).as("%s as %s: %s", f.name(), id, h).isEqualTo(403);
                        SecurityFixture.assertProblem(h, "forbidden");
                    }
                }));
            }
        }
        // What was refused stored nothing: 'orders' holds exactly the allowed publishes (an exchange publish lands there too).
        tests.add(DynamicTest.dynamicTest("refused publishes stored nothing", () -> {
            assertThat(stored[0]).isEqualTo(4); // write-only and administrator, to the topic and through the exchange
            assertThat(fx.endOffset("orders") - before[0]).isEqualTo(stored[0]);
        }));
        assertThat(tests).hasSize(families().size() * identities().size() + 2);
        return tests.stream();
    }

    private SecurityFixture.Head request(Family f, Identity id) throws IOException {
        StringBuilder r = new StringBuilder(f.method() + " " + f.path().apply(id) + " HTTP/1.1\r\nHost: localhost\r\n");
        if (id.authorization() != null) {
            r.append("Authorization: ").append(id.authorization()).append("\r\n");
        }
        if (f.name().equals("WebSocket")) {
            return fx.head(r + SecurityFixture.upgradeHeaders());
        }
        if (f.stream()) {
            r.append("Accept: text/event-stream\r\n");
        }
        byte[] body = f.body() == null ? new byte[0] : f.body().getBytes(StandardCharsets.UTF_8);
        if (f.body() != null) {
            r.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        r.append("Connection: close\r\n\r\n").append(new String(body, StandardCharsets.UTF_8));
        return fx.head(r.toString());
    }
}
