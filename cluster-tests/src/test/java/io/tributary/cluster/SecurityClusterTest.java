package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
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
 * Authentication and authorisation against the real gateway: a matrix of every endpoint family
 * by every kind of caller an attacker or a misconfigured client would be (no credential, an
 * unknown, malformed or revoked key, broken JWTs, the wrong vhost, each single permission, an
 * administrator without data permissions, the administrator), plus the checks that need a body
 * (binding destinations, each destination of an exchange publish), path tricks against the
 * rules, long-lived sessions that must end when their credential does, and the audit log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityClusterTest {
    private static final String VA = "/api/v1/vhosts/sec-a";
    private final TestCluster cluster = TestCluster.get();
    private final Api admin = cluster.api();
    /** Credentials by identity name, made in setUp. */
    private final Map<String, String> keys = new LinkedHashMap<>();

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

    @BeforeAll
    void setUp() {
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

    private void user(String name, List<String> tags, String vhost, String configure, String write, String read) {
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

    private List<Identity> identities() {
        Set<Power> none = EnumSet.noneOf(Power.class);
        String unknownKey = "trb_0123456789abcdef_" + "A".repeat(43);
        return List.of(
                new Identity("anonymous", null, none, true),
                new Identity("unknown key", "Bearer " + unknownKey, none, true),
                new Identity("malformed key", "Bearer trb_zz", none, true),
                new Identity("basic auth", "Basic YWRtaW46YWRtaW4=", none, true),
                new Identity("empty bearer", "Bearer ", none, true),
                new Identity("revoked key", "Bearer " + keys.get("revoked"), none, true),
                new Identity("expired jwt", "Bearer " + Jwts.expired("reader"), none, true),
                new Identity("alg none jwt", "Bearer " + Jwts.algNone("admin"), none, true),
                new Identity("wrong audience jwt", "Bearer " + Jwts.wrongAudience("admin"), none, true),
                new Identity("wrong issuer jwt", "Bearer " + Jwts.wrongIssuer("admin"), none, true),
                new Identity("bad signature jwt", "Bearer " + Jwts.badSignature("admin"), none, true),
                new Identity("jwt of an unknown user", "Bearer " + Jwts.valid("nobody-" + System.nanoTime(), 600), none, true),
                new Identity("wrong vhost", "Bearer " + keys.get("other"), none, false),
                new Identity("read-only", "Bearer " + keys.get("reader"), EnumSet.of(Power.READ), false),
                new Identity("read-only jwt", "Bearer " + Jwts.valid("reader", 600), EnumSet.of(Power.READ), false),
                new Identity("write-only", "Bearer " + keys.get("writer"), EnumSet.of(Power.WRITE), false),
                new Identity("configure-only", "Bearer " + keys.get("configurer"), EnumSet.of(Power.CONFIGURE), false),
                new Identity("administrator without permissions", "Bearer " + keys.get("operator"), EnumSet.of(Power.ADMIN), false),
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
        tests.add(DynamicTest.dynamicTest("the end of 'orders' before", () -> before[0] = endOffset("orders")));
        for (Family f : families()) {
            for (Identity id : identities()) {
                tests.add(DynamicTest.dynamicTest(f.name() + " as " + id, () -> {
                    Head h = request(f, id);
                    assertThat(h.status()).as("%s as %s: %s", f.name(), id, h).isLessThan(500);
                    if (id.rejected()) {
                        assertThat(h.status()).as("%s as %s: %s", f.name(), id, h).isEqualTo(401);
                        assertThat(h.headers().get("www-authenticate")).startsWith("Bearer");
                        assertProblem(h, "unauthorized");
                    } else if (allowed(f, id)) {
                        assertThat(h.status()).as("%s as %s: %s", f.name(), id, h).isIn(f.allowed());
                        if (f.name().startsWith("publish")) {
                            stored[0]++;
                        }
                    } else {
                        assertThat(h.status()).as("%s as %s: %s", f.name(), id, h).isEqualTo(403);
                        assertProblem(h, "forbidden");
                    }
                }));
            }
        }
        // What was refused stored nothing: 'orders' holds exactly the allowed publishes (an exchange publish lands there too).
        tests.add(DynamicTest.dynamicTest("refused publishes stored nothing", () -> {
            assertThat(stored[0]).isEqualTo(4); // write-only and administrator, to the topic and through the exchange
            assertThat(endOffset("orders") - before[0]).isEqualTo(stored[0]);
        }));
        assertThat(tests).hasSize(families().size() * identities().size() + 2);
        return tests.stream();
    }

    private static void assertProblem(Head h, String type) {
        assertThat(h.headers().get("content-type")).as(h.toString()).startsWith("application/problem+json");
        JsonNode doc = Api.JSON.readTree(h.body());
        assertThat(doc.get("type").asString()).isEqualTo(type);
        assertThat(doc.get("detail").asString()).isNotBlank();
    }

    private long endOffset(String topic) {
        return admin.get(VA + "/topics/" + topic).json().get("partitions").get(0).get("endOffset").asLong();
    }

    @Test
    void anExchangePublishNeedsWriteOnEveryTopicItReachesAndStoresNothingOtherwise() {
        Api limited = admin.as(keys.get("limited"));
        long orders = endOffset("orders");
        long secret = endOffset("secret");
        Api.Response refused = limited.postJson(VA + "/exchanges/ex-all/messages", "[{\"payload\":1},{\"payload\":2}]");
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.problemType()).isEqualTo("forbidden");
        assertThat(refused.json().get("detail").asString()).contains("'secret'");
        assertThat(endOffset("orders")).isEqualTo(orders);
        assertThat(endOffset("secret")).isEqualTo(secret);

        Api.Response routed = limited.postJson(VA + "/exchanges/ex/messages", "[{\"payload\":1}]");
        assertThat(routed.status()).as(routed.body()).isEqualTo(200);
        assertThat(endOffset("orders")).isEqualTo(orders + 1);
    }

    @Test
    void aBindingNeedsWriteOnItsDestination() {
        Api limited = admin.as(keys.get("limited"));
        Api.Response refused = limited.postJson(VA + "/exchanges/ex/bindings", "{\"destination\":\"secret\"}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.json().get("detail").asString()).contains("write permission on topic 'secret'");
        Api.Response toExchange = limited.postJson(VA + "/exchanges/ex/bindings", "{\"destination\":\"x-administrator\",\"destinationType\":\"exchange\"}");
        assertThat(toExchange.status()).as(toExchange.body()).isEqualTo(403);
        assertThat(admin.get(VA + "/exchanges/ex/bindings").json().get("bindings").toString()).doesNotContain("secret");
        // Unbinding needs the same: limited may not remove the administrator's binding of ex-all to secret.
        String id = null;
        for (JsonNode b : admin.get(VA + "/exchanges/ex-all/bindings").json().get("bindings")) {
            if (b.get("destination").asString().equals("secret")) {
                id = b.get("id").asString();
            }
        }
        assertThat(id).isNotNull();
        assertThat(limited.delete(VA + "/exchanges/ex-all/bindings/" + id).status()).isEqualTo(403);
        assertThat(admin.get(VA + "/exchanges/ex-all/bindings/" + id).status()).isEqualTo(200);
    }

    /** A user who may write to 'orders' (and its exchanges) tries to reach 'secret' or other objects through the path. */
    @Test
    void pathTricksDoNotGetPastTheRules() throws Exception {
        String auth = "Authorization: Bearer " + keys.get("limited") + "\r\n";
        long secret = endOffset("secret");
        long archive = endOffset("orders-archive");
        List<String> paths = List.of(
                VA + "/topics/orders%2F..%2Fsecret/messages",
                VA + "/topics/orders/..%2F..%2Ftopics%2Fsecret/messages",
                VA + "/topics/secret%2F/messages",
                VA + "/topics/orders/../secret/messages",
                VA + "/topics/secret/messages/",
                VA + "//topics/secret/messages",
                "//api/v1/vhosts/sec-a/topics/secret/messages",
                "/API/v1/vhosts/sec-a/topics/secret/messages",
                "/api/v1/vhosts/sec-a/topics/SECRET/messages",
                "/api/v1/vhosts/SEC-A/topics/orders/messages",
                VA + "/topics/secret;orders/messages",
                VA + "/topics/secret;x=orders/messages",
                VA + ";x=1/topics/secret/messages",
                VA + "/topics/%73ecret/messages",
                VA + "/topics/orders-archive/messages",
                VA + "/topics/orders%00/messages",
                VA + "/topics/.*/messages",
                VA + "/topics/orders|secret/messages",
                "/api/v1/vhosts/sec-b/topics/orders/messages");
        byte[] body = "[{\"payload\":1}]".getBytes(StandardCharsets.UTF_8);
        for (String p : paths) {
            RawHttp.Response r = RawHttp.send(admin.base(), ("POST " + p + " HTTP/1.1\r\nHost: localhost\r\n" + auth
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n"
                    + new String(body, StandardCharsets.UTF_8)));
            assertThat(r.status()).as(p + " -> " + r.status() + " " + r.body()).isBetween(400, 499);
            assertThat(r.header("content-type")).as(p).startsWith("application/problem+json");
        }
        assertThat(endOffset("secret")).isEqualTo(secret);
        assertThat(endOffset("orders-archive")).as("a pattern matches the whole name: 'orders' is not 'orders-archive'").isEqualTo(archive);
        // The same user, the plain path: allowed (so the refusals above are the tricks', not the user's).
        RawHttp.Response plain = RawHttp.send(admin.base(), "POST " + VA + "/topics/orders/messages HTTP/1.1\r\nHost: localhost\r\n"
                + auth + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n"
                + new String(body, StandardCharsets.UTF_8));
        assertThat(plain.status()).as(plain.body()).isEqualTo(200);
    }

    @Test
    void aRevokedKeyStopsWithinASecondOnEveryGateway() throws Exception {
        String key = newKey("short-lived", "", "", ".*");
        Api first = admin.as(key);
        Api second = cluster.secondEdge().api().as(key);
        assertThat(first.get("/api/v1/whoami").status()).isEqualTo(200);
        assertThat(second.get("/api/v1/whoami").status()).isEqualTo(200);
        long t0 = System.nanoTime();
        assertThat(admin.delete("/api/v1/users/short-lived/api-keys/" + key.substring(4, 20)).status()).isEqualTo(204);
        long revoked = System.nanoTime();
        assertThat(first.get("/api/v1/whoami").status()).as("the gateway that revoked it refuses it at once").isEqualTo(401);
        long secondRefused = awaitStatus(second, 401, Duration.ofSeconds(5));
        double afterRevoke = (secondRefused - revoked) / 1e6;
        System.out.printf("revoked key refused by the other gateway %.0f ms after the revocation answered (%.0f ms after it was sent)%n",
                afterRevoke, (secondRefused - t0) / 1e6);
        assertThat(afterRevoke).as("ms until the other gateway refused the key").isLessThan(1_000 + 250);
    }

    private static long awaitStatus(Api api, int status, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (api.get("/api/v1/whoami").status() == status) {
                return System.nanoTime();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + status + " within " + within);
    }

    private String newKey(String user, String configure, String write, String read) {
        admin.delete("/api/v1/users/" + user);
        user(user, List.of(), "sec-a", configure, write, read);
        return keys.get(user);
    }

    @Test
    void aWebSocketSessionEndsWith1008WhenItsKeyIsRevoked() throws Exception {
        String key = newKey("ws-reader", "", "", ".*");
        try (WsClient ws = WsClient.open(admin.http(), admin.base(), "/ws/v1/vhosts/sec-a/topics/orders/subscriptions/workers", null, key)) {
            assertThat(ws.ending()).isNull();
            assertThat(admin.delete("/api/v1/users/ws-reader/api-keys/" + key.substring(4, 20)).status()).isEqualTo(204);
            WsClient.Ending end = ws.awaitEnding(Duration.ofSeconds(10));
            assertThat(end.code()).as(String.valueOf(end)).isEqualTo(1008);
            assertThat(end.reason()).contains("unauthorized");
        }
    }

    @Test
    void aWebSocketSessionEndsWith1008WhenItsTokenExpires() throws Exception {
        long t0 = System.nanoTime();
        try (WsClient ws = WsClient.open(admin.http(), admin.base(), "/ws/v1/vhosts/sec-a/topics/orders/subscriptions/workers", null,
                Jwts.valid("reader", 3))) {
            WsClient.Ending end = ws.awaitEnding(Duration.ofSeconds(15));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(end.code()).as(String.valueOf(end)).isEqualTo(1008);
            assertThat(end.reason()).contains("expired");
            assertThat(seconds).as("ended at the token's expiry, not before").isGreaterThan(1.5);
        }
    }

    @Test
    void anSseStreamEndsWithAnErrorEventWhenItsReadPermissionIsTakenAway() throws Exception {
        String key = newKey("sse-reader", "", "", ".*");
        URI uri = admin.uri(VA + "/topics/orders/subscriptions/workers/events");
        try (SseClient sse = SseClient.open(admin.http(), uri, null, key)) {
            assertThat(sse.status).isEqualTo(200);
            assertThat(admin.delete("/api/v1/vhosts/sec-a/permissions/sse-reader").status()).isEqualTo(204);
            Throwable end = null;
            try {
                sse.take(1_000_000, Duration.ofSeconds(10));
            } catch (Exception e) {
                end = e;
            }
            assertThat(end).isNotNull();
            assertThat(String.valueOf(end.getMessage()) + end.getCause()).contains("error event").contains("forbidden");
        }
    }

    @Test
    void aBrowserPageFromAnotherOriginCannotOpenAWebSocket() throws Exception {
        Head h = head("GET /ws/v1/vhosts/sec-a/topics/orders/subscriptions/workers HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + keys.get("reader") + "\r\nOrigin: https://evil.example\r\n" + upgradeHeaders());
        assertThat(h.status()).as(h.toString()).isEqualTo(403);
        assertThat(h.body()).contains("origin");
    }

    @Test
    void whoamiShowsTheCallerAsTheGatewaySeesIt() {
        JsonNode me = admin.as(Jwts.valid("reader", 600)).get("/api/v1/whoami").json();
        assertThat(me.get("user").asString()).isEqualTo("reader");
        assertThat(me.get("credential").asString()).isEqualTo("jwt");
        assertThat(me.has("expiresAt")).isTrue();
        assertThat(me.get("permissions").get("sec-a").get("read").asString()).isEqualTo(".*");
        assertThat(me.get("permissions").has("sec-b")).isFalse();
        JsonNode root = admin.get("/api/v1/whoami").json();
        assertThat(root.get("tags").toString()).contains("administrator");
        // The vhost list shows only where the caller has a permission.
        assertThat(admin.as(keys.get("other")).get("/api/v1/vhosts").json().get("vhosts").toString()).contains("sec-b").doesNotContain("sec-a");
    }

    @Test
    void theSecurityApiRefusesBadInputAndChangesNothing() {
        Api.Response tag = admin.put("/api/v1/users/bad-tag", "{\"tags\":[\"root\"]}");
        assertThat(tag.status()).as(tag.body()).isEqualTo(400);
        assertThat(admin.get("/api/v1/users/bad-tag").status()).isEqualTo(404);
        assertThat(admin.put("/api/v1/users/bad-field", "{\"tag\":[]}").status()).isEqualTo(400);
        assertThat(admin.put("/api/v1/users/a%2Fb", "{}").status()).isEqualTo(400);
        Api.Response regex = admin.put(VA + "/permissions/reader", "{\"configure\":\"(\",\"write\":\"\",\"read\":\".*\"}");
        assertThat(regex.status()).as(regex.body()).isEqualTo(400);
        assertThat(regex.json().get("detail").asString()).contains("configure");
        assertThat(admin.put(VA + "/permissions/reader", "{\"write\":\"\",\"read\":\".*\"}").status()).isEqualTo(400);
        assertThat(admin.put(VA + "/permissions/nobody-here", "{\"configure\":\"\",\"write\":\"\",\"read\":\"\"}").status()).isEqualTo(404);
        assertThat(admin.put("/api/v1/vhosts/no-such-vhost/permissions/reader", "{\"configure\":\"\",\"write\":\"\",\"read\":\"\"}").status())
                .isEqualTo(404);
        assertThat(admin.get(VA + "/permissions/reader").json().get("read").asString()).isEqualTo(".*");
        assertThat(admin.postJson("/api/v1/users/nobody-here/api-keys", "{}").status()).isEqualTo(404);
        assertThat(admin.delete("/api/v1/users/reader/api-keys/0123456789abcdef").status()).isEqualTo(404);
        // An API key's secret is shown once and never again.
        assertThat(admin.get("/api/v1/users/reader").body()).doesNotContain(keys.get("reader").substring(21));
    }

    @Test
    void theAuditLogNamesRefusalsAndNeverASecret() throws Exception {
        admin.as(keys.get("reader")).postJson(VA + "/topics/orders/messages", "[{\"payload\":1}]");
        admin.as("trb_0123456789abcdef_" + "B".repeat(43)).get("/api/v1/whoami");
        java.nio.file.Path log = cluster.launcher().logOf("gateway");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String text = Files.readString(log);
        while (!(text.contains("denied user=reader") && text.contains("authentication-failed")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            text = Files.readString(log);
        }
        assertThat(text).contains("denied user=reader credential=" + keys.get("reader").substring(4, 20) + " method=POST path="
                + VA + "/topics/orders/messages");
        assertThat(text).contains("authentication-failed user=anonymous method=GET path=/api/v1/whoami");
        for (String k : keys.values()) {
            assertThat(text).as("a key's secret in the log").doesNotContain(k.substring(21));
        }
        assertThat(text).doesNotContain(TestCluster.ADMIN_KEY.substring(21)).doesNotContain("B".repeat(43));
    }

    /**
     * Random and mutated credentials (seeded, so a failure can be replayed): every one is
     * refused with a 401 problem, never let in, never a 5xx.
     */
    @Test
    void mutatedAndRandomCredentialsAreAllRefused() throws Exception {
        java.util.Random r = new java.util.Random(20261202L);
        String jwt = Jwts.valid("reader", 600);
        String key = keys.get("reader");
        List<String> cases = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            cases.add("Bearer " + mutate(jwt, r));
            cases.add("Bearer " + mutate(key, r));
        }
        for (int i = 0; i < 50; i++) {
            StringBuilder junk = new StringBuilder();
            for (int n = r.nextInt(200); n > 0; n--) {
                junk.append((char) (33 + r.nextInt(94)));
            }
            cases.add((r.nextBoolean() ? "Bearer " : List.of("bearer ", "Token ", "Basic ", "", "Bearer  ").get(r.nextInt(5))) + junk);
        }
        String[] parts = jwt.split("\\.");
        for (String alg : List.of("none", "HS512", "RS256", "ES256", "HS256 ")) {
            String header = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8));
            cases.add("Bearer " + header + "." + parts[1] + "." + parts[2]);
            cases.add("Bearer " + header + "." + parts[1] + ".");
        }
        cases.add("Bearer " + parts[0] + "." + parts[1]);
        cases.add("Bearer " + jwt + "." + parts[2]);
        cases.add("Bearer " + "a".repeat(6000));
        int refused = 0;
        for (String auth : cases) {
            Head h = head("GET " + VA + "/topics/orders/partitions/0/messages HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + auth
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(h.status()).as("Authorization: %s -> %s", auth, h).isEqualTo(401);
            assertProblem(h, "unauthorized");
            refused++;
        }
        System.out.printf("credential fuzz: %d random or mutated credentials, %d refused with 401%n", cases.size(), refused);
        assertThat(refused).isEqualTo(cases.size()).isGreaterThan(350);
    }

    /** {@code s} with one to three characters changed, cut or grown, never in a way that keeps it valid. */
    private static String mutate(String s, java.util.Random r) {
        StringBuilder b = new StringBuilder(s);
        switch (r.nextInt(4)) {
            case 0 -> b.setLength(Math.max(1, b.length() - 1 - r.nextInt(10)));
            case 1 -> b.append((char) ('a' + r.nextInt(26)));
            default -> {
                for (int n = 1 + r.nextInt(3); n > 0; n--) {
                    int at;
                    do {
                        at = r.nextInt(b.length() - 1); // not the last character: its unused bits may not change the token
                    } while (b.charAt(at) == '.' || b.charAt(at) == '_' && s.startsWith("trb_") && (at == 3 || at == 20)
                            || s.startsWith("trb_") && at < 4 || isLastOfSegment(b, at));
                    char c = b.charAt(at);
                    b.setCharAt(at, c == 'A' ? 'B' : 'A');
                }
            }
        }
        return b.toString();
    }

    private static boolean isLastOfSegment(CharSequence s, int at) {
        return at + 1 < s.length() && s.charAt(at + 1) == '.';
    }

    // ---- raw requests: every header exactly as given, and the answer's head even for a stream ----

    record Head(int status, Map<String, String> headers, String body) {
    }

    private static String upgradeHeaders() {
        return "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    private Head request(Family f, Identity id) throws IOException {
        StringBuilder r = new StringBuilder(f.method() + " " + f.path().apply(id) + " HTTP/1.1\r\nHost: localhost\r\n");
        if (id.authorization() != null) {
            r.append("Authorization: ").append(id.authorization()).append("\r\n");
        }
        if (f.name().equals("WebSocket")) {
            return head(r + upgradeHeaders());
        }
        if (f.stream()) {
            r.append("Accept: text/event-stream\r\n");
        }
        byte[] body = f.body() == null ? new byte[0] : f.body().getBytes(StandardCharsets.UTF_8);
        if (f.body() != null) {
            r.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        r.append("Connection: close\r\n\r\n").append(new String(body, StandardCharsets.UTF_8));
        return head(r.toString());
    }

    /** Sends a raw request and reads the status and headers, and the body when it has a length (not a stream's). */
    private Head head(String request) throws IOException {
        URI base = URI.create(admin.base());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String status = line(in);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(in); !l.isEmpty(); l = line(in)) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            String length = headers.get("content-length");
            String body = length == null ? "" : new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
            return new Head(Integer.parseInt(status.split(" ")[1]), headers, body);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
