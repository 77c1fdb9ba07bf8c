package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Random and mutated requests against every POST and PUT, random query strings and random
 * WebSocket frames, with a fixed seed and a bounded count: no answer is a 5xx, every 4xx is
 * a problem document, a refused publish changes no topic, and no WebSocket connection ends
 * without a close frame. {@code -Dtributary.fuzz.cases=N} (default 1,500) and
 * {@code -Dtributary.fuzz.seed=S} run it longer or differently:
 * {@code ./mvnw verify -pl cluster-tests -Dtest=FuzzClusterTest -Dtributary.fuzz.cases=100000}.
 */
class FuzzClusterTest {
    static final int CASES = Integer.getInteger("tributary.fuzz.cases", 1500);
    static final long SEED = Long.getLong("tributary.fuzz.seed", 20261201L);
    static final String V = "/api/v1/vhosts/default";
    static final String TOPIC = "fuzz";
    static Api api;

    static final String[] VALID_BODIES = {
        "{\"payload\":{\"a\":[1,2,3],\"b\":\"x\"},\"key\":\"k\",\"headers\":{\"h\":\"v\"},\"tag\":\"T\"}",
        "[{\"payload\":1},{\"payload\":\"two\",\"id\":\"i-2\"}]",
        "{\"partitions\":2,\"retentionMs\":60000}",
        "{\"type\":\"topic\"}",
        "{\"destination\":\"fuzz\",\"routingKey\":\"a.#\"}",
        "{\"type\":\"group\",\"startAt\":\"earliest\"}",
        "{\"ids\":[\"0-0\"]}",
        "{\"routingKey\":\"a.b\",\"payload\":true}",
        "{\"tags\":[\"administrator\"]}",
        "{\"configure\":\".*\",\"write\":\"a|b(c\",\"read\":\"\"}",
        "{\"publishRequestsPerSecond\":100,\"publishBytesPerSecond\":1000}",
    };
    static final String[] TARGETS = {
        V + "/topics/fuzz/messages", "POST",
        V + "/exchanges/fuzz-x/messages", "POST",
        V + "/topics/fuzz-%s", "PUT",
        V + "/exchanges/fuzz-%s", "PUT",
        V + "/exchanges/fuzz-x/bindings", "POST",
        V + "/topics/fuzz/subscriptions/s-%s", "PUT",
        V + "/topics/fuzz/subscriptions/f/ack", "POST",
        V + "/vhosts/fuzz-%s", "PUT",
        "/api/v1/users/fuzz-%s", "PUT",
        "/api/v1/users/fuzz-user/api-keys", "POST",
        V + "/permissions/fuzz-user", "PUT",
        // Limits on a vhost of their own: a random limit on 'default' would throttle the tests after this one.
        "/api/v1/vhosts/fuzz-limits/limits", "PUT",
    };
    static final String[] CONTENT_TYPES = {"application/json", "application/x-ndjson", "text/plain", "application/json; charset=utf-8",
        "application/json; charset=bogus", "garbage", "", "application/json, text/plain", "multipart/form-data; boundary=x"};

    @BeforeAll
    static void start() {
        api = TestCluster.get().api();
        api.topicWithSubscription(TOPIC, 2, "f");
        assertThat(api.put(V + "/exchanges/fuzz-x", "{\"type\":\"topic\"}").status()).isIn(200, 201);
        assertThat(api.postJson(V + "/exchanges/fuzz-x/bindings", "{\"destination\":\"fuzz\",\"routingKey\":\"#\"}").status()).isIn(200, 201);
        assertThat(api.put("/api/v1/users/fuzz-user", "{}").status()).isIn(200, 201);
        assertThat(api.put("/api/v1/vhosts/fuzz-limits", null).status()).isIn(200, 201);
    }

    static long stored() {
        long total = 0;
        for (JsonNode p : api.get(V + "/topics/" + TOPIC).json().get("partitions")) {
            total += p.get("endOffset").asLong();
        }
        return total;
    }

    /** A valid body, then 0 to 4 random mutations: flip, insert, delete or duplicate bytes, or truncate. */
    static byte[] mutated(Random r) {
        byte[] b = VALID_BODIES[r.nextInt(VALID_BODIES.length)].getBytes(StandardCharsets.UTF_8);
        int mutations = r.nextInt(5);
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b = splice(b, at, 0, new byte[] {(byte) "{}[]\",:\\0123456789e-+.tfn \u00ff".charAt(r.nextInt(27))});
                case 2 -> b = splice(b, at, 1, new byte[0]);
                case 3 -> b = splice(b, at, 0, java.util.Arrays.copyOfRange(b, at, Math.min(b.length, at + r.nextInt(20))));
                case 4 -> b = java.util.Arrays.copyOf(b, at);
                default -> b = splice(b, at, 0, ("\"" + "x".repeat(r.nextInt(3) == 0 ? 300 : 3) + "\"").getBytes(StandardCharsets.UTF_8));
            }
        }
        return b;
    }

    static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /** A query string of random parameters: repeats, bad encodings, numbers of every form. */
    static String query(Random r) {
        String[] names = {"acks", "offset", "limit", "waitMs", "key", "timestamp", "credit", "autoCommit", "x"};
        String[] values = {"all", "none", "leader", "0", "1", "-1", "0x10", "%2310", "+1", "00", "99999999999999999999", "%zz", "%",
            "a;b", "%e9", "%c3%a9", "", "true", "1e2"};
        StringBuilder q = new StringBuilder();
        for (int i = r.nextInt(4); i > 0; i--) {
            q.append(q.length() == 0 ? "?" : "&").append(names[r.nextInt(names.length)]).append('=').append(values[r.nextInt(values.length)]);
        }
        return q.toString();
    }

    /** Sends a request and checks its answer; returns whether it was a refused publish to the fuzz topic. */
    static void check(String method, String path, String contentType, byte[] body, List<String> failures) throws Exception {
        HttpRequest.Builder b;
        try {
            b = api.authorized(HttpRequest.newBuilder(URI.create(api.base() + path))).timeout(Duration.ofSeconds(30));
        } catch (IllegalArgumentException notAUri) {
            RawHttp.Response raw = RawHttp.send(api.base(), method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + api.authorizationLine() + "Content-Length: "
                    + body.length + "\r\n\r\n" + new String(body, StandardCharsets.ISO_8859_1));
            judge(method + " " + path, raw.status(), raw.header("content-type"), raw.body(), failures);
            return;
        }
        if (!contentType.isEmpty()) {
            b.header("content-type", contentType);
        }
        b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> r;
        try {
            r = api.http().send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.net.http.HttpTimeoutException e) {
            failures.add("no answer within 30 s to " + method + " " + path + " [" + contentType + "] "
                    + new String(body, StandardCharsets.UTF_8));
            return;
        }
        judge(method + " " + path + " [" + contentType + "] " + new String(body, StandardCharsets.UTF_8), r.statusCode(),
                r.headers().firstValue("content-type").orElse(null), r.body(), failures);
    }

    static void judge(String what, int status, String contentType, String body, List<String> failures) {
        if (status >= 500) {
            failures.add(status + " for " + what + ": " + body);
        } else if (status >= 400 && (contentType == null || !contentType.startsWith("application/problem+json"))) {
            failures.add(status + " without a problem document for " + what);
        }
    }

    @Test
    void randomRequestsNeverGetA5xxNorChangeATopicWhenRefused() throws Exception {
        Random r = new Random(SEED);
        List<String> failures = new ArrayList<>();
        int refusedPublishes = 0;
        for (int i = 0; i < CASES && failures.size() < 20; i++) {
            int t = r.nextInt(TARGETS.length / 2) * 2;
            String path = String.format(TARGETS[t], Integer.toString(r.nextInt(50))) + query(r);
            String method = r.nextInt(20) == 0 ? List.of("GET", "DELETE", "PATCH", "OPTIONS").get(r.nextInt(4)) : TARGETS[t + 1];
            String contentType = CONTENT_TYPES[r.nextInt(3) == 0 ? r.nextInt(CONTENT_TYPES.length) : 0];
            byte[] body = mutated(r);
            boolean publish = path.startsWith(V + "/topics/fuzz/messages") && method.equals("POST");
            long before = publish ? stored() : 0;
            check(method, path, contentType, body, failures);
            if (publish) {
                long after = stored();
                // An accepted publish stores what it said; a refused one nothing. A 200 is detected by growth.
                if (after == before) {
                    refusedPublishes++;
                }
            }
        }
        System.out.printf("fuzz: %d requests (seed %d), %d publishes refused with nothing stored%n", CASES, SEED, refusedPublishes);
        assertThat(failures).as("answers that broke the rules").isEmpty();
        assertThat(refusedPublishes).as("the fuzzer reached the refusals").isPositive();
    }

    @Test
    void randomGetsWithRandomQueriesNeverGetA5xx() throws Exception {
        Random r = new Random(SEED + 1);
        List<String> failures = new ArrayList<>();
        String[] paths = {V + "/topics/fuzz/partitions/0/messages", V + "/topics/fuzz/partitions/1/messages", V + "/topics/fuzz/messages",
            V + "/topics/fuzz", V + "/topics", V + "/topics/fuzz/subscriptions/f", V + "/exchanges/fuzz-x/bindings",
            V + "/topics/fuzz/partitions/%s/messages", V + "/topics/fuzz%s"};
        for (int i = 0; i < CASES / 3 && failures.size() < 20; i++) {
            String p = paths[r.nextInt(paths.length)];
            String path = String.format(p, List.of("+1", "00", "0x1", "-1", "99999999999", ";x", "%3B", "%zz", "é").get(r.nextInt(9)))
                    + query(r);
            check("GET", path, "", new byte[0], failures);
        }
        assertThat(failures).as("answers that broke the rules").isEmpty();
    }

    static boolean send(RawHttp.RawWebSocket ws, int first, byte[] payload) {
        try {
            ws.frame(first, payload);
            return true;
        } catch (java.io.IOException closed) {
            return false;
        }
    }

    @Test
    void randomWebSocketFramesGetAnswersOrACloseFrame() throws Exception {
        Random r = new Random(SEED + 2);
        String path = "/ws/v1/vhosts/default/topics/fuzz/subscriptions/f?credit=0";
        int closes = 0;
        int sessions = Math.max(10, CASES / 50);
        for (int s = 0; s < sessions; s++) {
            try (RawHttp.RawWebSocket ws = new RawHttp.RawWebSocket(api.base(), path)) {
                int frames = 1 + r.nextInt(8);
                for (int f = 0; f < frames; f++) {
                    byte[] payload = r.nextBoolean() ? mutated(r) : List.of("{\"credit\":" + r.nextLong() + "}",
                            "{\"credit\":9223372036854775808}", "{\"ack\":[\"0-" + r.nextInt(1000) + "\"]}", "{\"nack\":[\"x\"]}",
                            "[]", "null", "{}").get(r.nextInt(7)).getBytes(StandardCharsets.UTF_8);
                    if (payload.length > 125) {
                        payload = java.util.Arrays.copyOf(payload, 125);
                    }
                    int first = 0x81 | (r.nextInt(12) == 0 ? 0x40 : 0); // now and then a reserved bit
                    if (!send(ws, first, payload)) {
                        break; // the server closed (a violation): its close frame is waiting to be read
                    }
                }
                send(ws, 0x88, new byte[] {0x03, (byte) 0xe8}); // our close: 1000
                int code = ws.awaitCloseCode();
                assertThat(code).as("session %d ended with a close frame", s).isNotEqualTo(-1);
                closes++;
            }
        }
        System.out.printf("fuzz: %d WebSocket sessions, each ended with a close frame%n", closes);
    }
}
