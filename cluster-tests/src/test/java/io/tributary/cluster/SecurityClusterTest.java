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
 * Authentication and authorisation beyond the matrix ({@link SecurityMatrixClusterTest}): the
 * checks that need a body (binding destinations, each destination of an exchange publish), path
 * tricks against the rules, revocation felt on every gateway, long-lived sessions that end when
 * their credential does, Origin, whoami, the security API's bad input, the audit log, and
 * random or mutated credentials.
 */
class SecurityClusterTest {
    private final SecurityFixture fx = SecurityFixture.get();
    private final TestCluster cluster = fx.cluster;
    private final Api admin = fx.admin;
    private static final String VA = SecurityFixture.VA;

    @Test
    void anExchangePublishNeedsWriteOnEveryTopicItReachesAndStoresNothingOtherwise() {
        Api limited = admin.as(fx.key("limited"));
        long orders = fx.endOffset("orders");
        long secret = fx.endOffset("secret");
        Api.Response refused = limited.postJson(VA + "/exchanges/ex-all/messages", "[{\"payload\":1},{\"payload\":2}]");
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.problemType()).isEqualTo("forbidden");
        assertThat(refused.json().get("detail").asString()).contains("'secret'");
        assertThat(fx.endOffset("orders")).isEqualTo(orders);
        assertThat(fx.endOffset("secret")).isEqualTo(secret);

        Api.Response routed = limited.postJson(VA + "/exchanges/ex/messages", "[{\"payload\":1}]");
        assertThat(routed.status()).as(routed.body()).isEqualTo(200);
        assertThat(fx.endOffset("orders")).isEqualTo(orders + 1);
    }

    @Test
    void aBindingNeedsWriteOnItsDestination() {
        Api limited = admin.as(fx.key("limited"));
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
        String auth = "Authorization: Bearer " + fx.key("limited") + "\r\n";
        long secret = fx.endOffset("secret");
        long archive = fx.endOffset("orders-archive");
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
        assertThat(fx.endOffset("secret")).isEqualTo(secret);
        assertThat(fx.endOffset("orders-archive")).as("a pattern matches the whole name: 'orders' is not 'orders-archive'").isEqualTo(archive);
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
        fx.user(user, List.of(), "sec-a", configure, write, read);
        return fx.key(user);
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
        SecurityFixture.Head h = fx.head("GET /ws/v1/vhosts/sec-a/topics/orders/subscriptions/workers HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + fx.key("reader") + "\r\nOrigin: https://evil.example\r\n" + SecurityFixture.upgradeHeaders());
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
        assertThat(admin.as(fx.key("other")).get("/api/v1/vhosts").json().get("vhosts").toString()).contains("sec-b").doesNotContain("sec-a");
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
        assertThat(admin.get("/api/v1/users/reader").body()).doesNotContain(fx.key("reader").substring(21));
    }

    @Test
    void theAuditLogNamesRefusalsAndNeverASecret() throws Exception {
        admin.as(fx.key("reader")).postJson(VA + "/topics/orders/messages", "[{\"payload\":1}]");
        admin.as("trb_0123456789abcdef_" + "B".repeat(43)).get("/api/v1/whoami");
        java.nio.file.Path log = cluster.launcher().logOf("gateway");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String text = Files.readString(log);
        while (!(text.contains("denied user=reader") && text.contains("authentication-failed")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            text = Files.readString(log);
        }
        assertThat(text).contains("denied user=reader credential=" + fx.key("reader").substring(4, 20) + " method=POST path="
                + VA + "/topics/orders/messages");
        assertThat(text).contains("authentication-failed user=anonymous method=GET path=/api/v1/whoami");
        for (String k : fx.allKeys()) {
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
        String key = fx.key("reader");
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
            SecurityFixture.Head h = fx.head("GET " + VA + "/topics/orders/partitions/0/messages HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + auth
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(h.status()).as("Authorization: %s -> %s", auth, h).isEqualTo(401);
            SecurityFixture.assertProblem(h, "unauthorized");
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
}
