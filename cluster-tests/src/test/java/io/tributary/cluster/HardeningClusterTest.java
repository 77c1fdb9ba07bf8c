package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What an adversarial probe of the gateway found, one test per finding: each sends the request
 * that used to be mishandled and checks the status, the problem type, and that nothing was
 * stored where the request was refused (or that what was accepted comes back exactly).
 */
class HardeningClusterTest {
    static TestCluster cluster;
    static Api api;
    static final String V = "/api/v1/vhosts/default";
    static final String TOPIC = "hard";
    static final String MESSAGES = V + "/topics/" + TOPIC + "/messages";

    @BeforeAll
    static void start() {
        cluster = TestCluster.get();
        api = cluster.api();
        api.topicWithSubscription(TOPIC, 2, "h");
    }

    static long stored() {
        long total = 0;
        for (JsonNode p : api.get(V + "/topics/" + TOPIC).json().get("partitions")) {
            total += p.get("endOffset").asLong();
        }
        return total;
    }

    static void problem(Api.Response r, int status, String type) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).as(r.body()).startsWith("application/problem+json");
        assertThat(r.problemType()).as(r.body()).isEqualTo(type);
        noInternals(r.body());
    }

    /** Item 13: no Java types, framework settings or internal statuses in what a client reads. */
    static void noInternals(String body) {
        assertThat(body).doesNotContain("java.").doesNotContain("tools.jackson").doesNotContain("StreamReadConstraints")
                .doesNotContain("Failed to convert").doesNotContain("HTTP 4").doesNotContain("HTTP 5");
    }

    /** The message a publish stored, as browse renders it (raw text). */
    static String browsed(JsonNode result) {
        return api.get(V + "/topics/" + TOPIC + "/partitions/" + result.get("partition").asInt() + "/messages?offset="
                + result.get("offset").asLong() + "&limit=1").body();
    }

    static JsonNode publishOne(String message) {
        Api.Response r = api.postJson(MESSAGES, message);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("results").get(0);
    }

    @Test
    void item1OneNestingLimitThatEveryReadPathRenders() throws Exception {
        String deepest = "[".repeat(128) + "1" + "]".repeat(128);
        JsonNode at = publishOne("{\"key\":\"deep\",\"payload\":" + deepest + "}");
        String page = browsed(at);
        assertThat(api.get(V + "/topics/" + TOPIC + "/partitions/" + at.get("partition").asInt() + "/messages?offset="
                + at.get("offset").asLong() + "&limit=1").status()).isEqualTo(200);
        assertThat(page).contains("\"payload\":" + deepest);
        assertThat(api.get(MESSAGES + "?key=deep").body()).contains("\"payload\":" + deepest);
        long before = stored();
        String tooDeep = "[".repeat(129) + "1" + "]".repeat(129);
        problem(api.postJson(MESSAGES, "{\"payload\":" + tooDeep + "}"), 400, "invalid-argument");
        Api.Response unclosed = api.postJson(MESSAGES, "{\"payload\":" + "[".repeat(600) + "}");
        assertThat(unclosed.status()).isEqualTo(400);
        noInternals(unclosed.body());
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void item2AnyBadContentTypeIs415() {
        long before = stored();
        for (String type : List.of("application/json; charset=bogus", "garbage", "application/json, text/plain",
                "application/json; charset=latin1")) {
            problem(api.post(MESSAGES, type, "{\"payload\":1}".getBytes(StandardCharsets.UTF_8)), 415, "unsupported-media-type");
            problem(api.post(V + "/exchanges/amq.default/messages", type,
                    ("{\"routingKey\":\"" + TOPIC + "\",\"payload\":1}").getBytes(StandardCharsets.UTF_8)), 415, "unsupported-media-type");
        }
        assertThat(api.post(MESSAGES, "application/json; charset=UTF-8", "{\"payload\":1}".getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(200);
        assertThat(stored()).isEqualTo(before + 1);
    }

    @Test
    void item3PayloadsComeBackExactlyAsSent() {
        for (String number : List.of("1e400", "1.0e-400", "-0.0", "123456789012345678901234567890.000000000000000000001")) {
            JsonNode at = publishOne("{\"payload\":{\"n\": " + number + " }}");
            assertThat(browsed(at)).contains("\"payload\":{\"n\":" + number + "}");
        }
    }

    @Test
    void item4KeysMustBeValidUnicode() {
        long before = stored();
        problem(api.postJson(MESSAGES, "{\"key\":\"\\ud800\",\"payload\":1}"), 400, "invalid-argument");
        assertThat(api.postJson(MESSAGES, "{\"headers\":{\"h\":\"x\\udc00\"},\"payload\":1}").body()).contains("not valid Unicode");
        assertThat(stored()).isEqualTo(before);
        JsonNode question = publishOne("{\"key\":\"?\",\"payload\":\"question\"}");
        assertThat(browsed(question)).contains("\"key\":\"?\"");
    }

    @Test
    void item5TheMessageLimitCoversTheWholeRecord() {
        long before = stored();
        String mib = "v".repeat(1024 * 1024);
        StringBuilder fifteen = new StringBuilder("{\"headers\":{");
        for (int i = 0; i < 15; i++) {
            fifteen.append(i == 0 ? "" : ",").append("\"h").append(i).append("\":\"").append(mib).append('"');
        }
        Api.Response r = api.postJson(MESSAGES, fifteen.append("},\"payload\":1}").toString());
        assertThat(r.status()).as(r.body()).isIn(400, 413);
        noInternals(r.body());
        problem(api.postJson(MESSAGES, "{\"headers\":{\"h\":\"" + "v".repeat(17 * 1024) + "\"},\"payload\":1}"), 400, "invalid-argument");
        // a payload just under the limit plus a big key goes over it
        problem(api.postJson(MESSAGES, "{\"key\":\"" + "k".repeat(16 * 1024) + "\",\"payload\":\"" + "p".repeat(1024 * 1024 - 1000)
                + "\"}"), 413, "payload-too-large");
        StringBuilder many = new StringBuilder("{\"headers\":{");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append("\"h").append(i).append("\":\"v\"");
        }
        problem(api.postJson(MESSAGES, many.append("},\"payload\":1}").toString()), 400, "invalid-argument");
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void item6EveryKeyAPublishAcceptsCanBeLookedUp() {
        String key = "é".repeat(8 * 1024); // 16 KiB of UTF-8, 48 KiB percent-encoded
        publishOne("{\"key\":\"" + key + "\",\"payload\":\"long key\"}");
        Api.Response found = api.get(MESSAGES + "?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8));
        assertThat(found.status()).as(found.body().substring(0, Math.min(300, found.body().length()))).isEqualTo(200);
        assertThat(found.json().get("messages").size()).isEqualTo(1);
        assertThat(found.json().get("messages").get(0).get("payload").asString()).isEqualTo("long key");
    }

    @Test
    void item7RepeatedQueryParametersAreRefused() {
        problem(api.get(MESSAGES + "?key=k1&key=k2"), 400, "invalid-argument");
        problem(api.get(V + "/topics/" + TOPIC + "/partitions/0/messages?offset=0&offset=1"), 400, "invalid-argument");
    }

    /** A bare ';' is refused as a name (RequestShapeFilter); an encoded one by the security firewall, before a name is read. */
    @Test
    void item8NamesAreNeverCutAtASemicolon() {
        problem(api.put(V + "/topics/probe-;x", "{}"), 400, "invalid-name");
        assertThat(api.get(V + "/topics/probe-").status()).isEqualTo(404);
        problem(api.get(V + "/topics/" + TOPIC + "/partitions/0;x/messages"), 400, "invalid-name");
        problem(api.put(V + "/topics/probe-%3Bx", "{}"), 400, "malformed-request");
    }

    @Test
    void item9ResumeTokensAreCheckedLikeAnyInput() throws Exception {
        api.topicWithSubscription("hard-resume", 2, "r1");
        assertThat(api.put(V + "/topics/hard-resume/subscriptions/r2", "{\"type\":\"group\",\"startAt\":\"earliest\"}").status())
                .isIn(200, 201);
        Published.batch(api, "hard-resume", 10, 3);
        String token;
        try (SseClient sse = SseClient.open(api.http(), api.uri(V + "/topics/hard-resume/subscriptions/r1/events"), null)) {
            token = sse.take(1, Duration.ofSeconds(30)).get(0).id();
        }
        Api.Response other = sse("r2", token);
        problem(other, 400, "malformed-request");
        assertThat(other.body()).contains("another subscription");
        problem(sse("r1", "v2.bm9wZQ"), 400, "malformed-request");
        // a token of r1 naming a partition that does not exist, and one past the end
        problem(sse("r1", forge("r1", "7=0")), 400, "malformed-request");
        Api.Response past = sse("r1", forge("r1", "0=999999"));
        problem(past, 416, "offset-out-of-range");
        assertThat(past.body()).contains("positions run from");
    }

    /** An SSE request that is refused answers at once: the status and problem of its first response. */
    static Api.Response sse(String sub, String token) throws Exception {
        var r = api.http().send(api.authorized(java.net.http.HttpRequest.newBuilder(api.uri(V + "/topics/hard-resume/subscriptions/" + sub + "/events")))
                .header("Last-Event-ID", token).timeout(Duration.ofSeconds(30)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        try (var in = r.body()) {
            String body = r.statusCode() == 200 ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Api.Response(r.statusCode(), r.headers().map(), body);
        }
    }

    /** A token for {@code sub} of topic hard-resume with {@code body} as its positions (the real tag, forged positions). */
    static String forge(String sub, String body) {
        JsonNode info = api.get(V + "/topics/hard-resume/subscriptions/" + sub).json();
        // The tag needs the subscription's creation time, which the public view does not show:
        // take it from a real token of this subscription instead.
        String real;
        try (SseClient s = SseClient.open(api.http(), api.uri(V + "/topics/hard-resume/subscriptions/" + sub + "/events?autoCommit=false"), null)) {
            real = s.take(1, Duration.ofSeconds(30)).get(0).id();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertThat(info.get("name").asString()).isEqualTo(sub);
        byte[] raw = java.util.Base64.getUrlDecoder().decode(real.substring(3));
        byte[] tag = java.util.Arrays.copyOf(raw, 8);
        byte[] positions = body.getBytes(StandardCharsets.US_ASCII);
        byte[] forged = java.nio.ByteBuffer.allocate(8 + positions.length).put(tag).put(positions).array();
        return "v2." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(forged);
    }

    @Test
    void item10WebSocketFramesThatCannotBeServedGetAnswersNotDrops() throws Exception {
        String path = "/ws/v1/vhosts/default/topics/" + TOPIC + "/subscriptions/h?credit=0";
        try (WsClient ws = WsClient.open(api.http(), api.base(), path)) {
            ws.send("{\"credit\":9223372036854775808}");
            assertThat(ws.take(1, Duration.ofSeconds(10)).get(0)).contains("\"error\"").contains("credit");
            ws.send("{\"credit\":99999999999999999999999999}");
            assertThat(ws.take(1, Duration.ofSeconds(10)).get(0)).contains("\"error\"");
            ws.send("{\"credit\":1}");
            assertThat(ws.take(1, Duration.ofSeconds(10)).get(0)).contains("\"partition\"");
            assertThat(ws.ending()).isNull();
        }
        try (RawHttp.RawWebSocket raw = new RawHttp.RawWebSocket(api.base(), path)) {
            raw.frame(0x81, new byte[] {(byte) 0xc3, (byte) 0x28}); // a text frame that is not UTF-8
            assertThat(raw.awaitCloseCode()).isEqualTo(1007);
        }
        try (RawHttp.RawWebSocket raw = new RawHttp.RawWebSocket(api.base(), path)) {
            raw.frame(0x81 | 0x40, "{}".getBytes(StandardCharsets.US_ASCII)); // RSV1 set, no extension agreed
            assertThat(raw.awaitCloseCode()).isEqualTo(1002);
        }
    }

    @Test
    void item11ErrorsBelowTheApplicationStillGetAProblemBody() {
        String host = "Host: localhost\r\n" + api.authorizationLine();
        Map<String, Integer> requests = Map.of(
                "GET " + V + "/topics/%zz HTTP/1.1\r\n" + host + "\r\n", 400,
                "POST " + MESSAGES + " HTTP/1.1\r\n" + host + "Content-Type: application/json\r\nContent-Length: 13\r\n"
                        + "Content-Length: 14\r\n\r\n{\"payload\":1}", 400,
                "GET /" + "a".repeat(70 * 1024) + " HTTP/1.1\r\n" + host + "\r\n", 414,
                "GET " + V + "/topics HTTP/1.1\r\n" + host + "X-Big: " + "b".repeat(10 * 1024) + "\r\n\r\n", 431);
        long before = stored();
        requests.forEach((request, status) -> {
            RawHttp.Response r = RawHttp.send(api.base(), request);
            assertThat(r.status()).as(request.substring(0, 40)).isEqualTo(status);
            assertThat(r.header("content-type")).as(request.substring(0, 40)).startsWith("application/problem+json");
            assertThat(r.body()).contains("\"status\":" + status);
            noInternals(r.body());
        });
        RawHttp.Response chunk = RawHttp.send(api.base(), "POST " + MESSAGES + " HTTP/1.1\r\n" + host
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{\"payload\":1}\r\n0\r\n\r\n");
        assertThat(chunk.status()).isEqualTo(400);
        assertThat(chunk.body()).contains("\"status\":400");
        assertThat(stored()).isEqualTo(before);
        // 405 says what is allowed (RFC 9110); OPTIONS lists it too
        Api.Response wrong = api.delete(MESSAGES);
        problem(wrong, 405, "method-not-allowed");
        assertThat(wrong.headers().get("allow").get(0)).contains("POST");
        RawHttp.Response options = RawHttp.send(api.base(), "OPTIONS " + MESSAGES + " HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n");
        assertThat(options.status()).isEqualTo(200);
        assertThat(options.header("allow")).contains("POST");
    }

    @Test
    void item12NumbersArePlainDecimal() {
        String browse = V + "/topics/" + TOPIC + "/partitions/";
        for (String bad : List.of("0/messages?offset=0x10", "0/messages?offset=%2310", "0/messages?offset=+1", "0/messages?limit=1e2")) {
            problem(api.get(browse + bad), 400, "invalid-argument");
        }
        problem(api.get(MESSAGES + "?timestamp=0x10"), 400, "invalid-argument");
        for (String partition : List.of("+1", "00", "01", "-0")) {
            Api.Response r = api.get(browse + partition + "/messages");
            assertThat(r.status()).as(partition).isIn(400, 404);
            noInternals(r.body());
        }
        assertThat(api.get(browse + "0/messages?offset=0").status()).isEqualTo(200);
    }

    @Test
    void item13ErrorDetailsSpeakTheClientsLanguage() {
        for (Api.Response r : List.of(api.get(V + "/topics/" + TOPIC + "/partitions/0/messages?offset=abc"),
                api.put(V + "/topics/hard-x", "{\"partitions\": [1]}"),
                api.put(V + "/topics/hard-x", "[1, 2"),
                api.postJson(MESSAGES, "{\"payload\":" + "[".repeat(2000) + "}"),
                api.put(V + "/topics/" + TOPIC + "/subscriptions/h2", "{\"type\": {\"a\":1}}"))) {
            assertThat(r.status()).as(r.body()).isBetween(400, 499);
            noInternals(r.body());
        }
        assertThat(api.get(V + "/topics/" + TOPIC + "/partitions/0/messages?offset=abc").body()).contains("'offset'");
    }
}
