package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.JsonNode;

/**
 * Whatever the gateway accepts comes back exactly as it was sent, and whatever it refuses is a
 * 4xx problem that stored nothing. Random messages: JSON payloads with extreme numbers, deep
 * nesting around the limit, Unicode edge cases (escaped and raw, surrogate pairs and lone
 * surrogates), random whitespace between tokens; keys, headers and tags around their limits.
 * Each accepted message is read back through browse and key lookup right away, and all of
 * them through SSE and WebSocket at the end.
 *
 * <p>The reference is independent of the gateway's code: each payload is generated in its
 * compact form, and the request carries it with random whitespace inserted between tokens.
 */
class PublishRoundTripPropertyTest {
    static Api api;
    static final String V = "/api/v1/vhosts/default";
    static final String TOPIC = "round-trip";
    /** Every accepted message, as it must come back: compact payload text, key, headers, tag. */
    static final List<Expected> accepted = new CopyOnWriteArrayList<>();

    record Expected(long offset, String payload, String key, Map<String, String> headers, String tag) {
    }

    /** A message: its fields as JSON text (written as sent) and as values (what must come back). */
    record Message(String payloadCompact, String payloadSent, Text key, List<Map.Entry<Text, Text>> headers, Text tag) {
    }

    /** A string field: the JSON literal sent, and the Java string it means (null when it is not valid Unicode). */
    record Text(String literal, String value) {
    }

    @BeforeContainer
    static void start() {
        api = TestCluster.get().api();
        api.topicWithSubscription(TOPIC, 1, "rt");
    }

    // ---- generators ---------------------------------------------------------------------

    static Arbitrary<String> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.of("0", "-0", "-0.0", "1e400", "1.0e-400", "-1E+308", "9223372036854775808", "123.4560000"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(400).map(d -> d.replaceFirst("^0+(?=.)", "")),
                Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(-999, 999))
                        .as((m, e) -> m + "e" + e));
    }

    /** A JSON string literal (compact) and, separately, its meaning. */
    static Arbitrary<Text> texts(int maxLength) {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20).alpha(),
                Arbitraries.of("é", "\u00a0", "\u2028", "😀", "中文", "\\", "\"", "\t", "\u0001"),
                Arbitraries.of("\\u00e9", "\\ud83d\\ude00", "\\n", "\\\"", "\\/", "\\u0000"),
                Arbitraries.of("\\ud800", "\\udfff")); // lone surrogates: not valid Unicode
        return piece.list().ofMaxSize(maxLength).map(parts -> {
            StringBuilder literal = new StringBuilder("\"");
            for (String p : parts) {
                if (p.startsWith("\\") && p.length() > 1) {
                    literal.append(p); // an escape, sent as written
                } else {
                    literal.append(escapeRaw(p));
                }
            }
            literal.append('"');
            return new Text(literal.toString(), meaning(literal.toString()));
        });
    }

    /** Raw characters in a JSON string: quote, backslash and controls must be escaped, the rest is sent as is. */
    static String escapeRaw(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** What a string literal means, or null when it holds a lone surrogate. */
    static String meaning(String literal) {
        String s = Api.JSON.readTree(literal).asString();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return null;
            }
        }
        return s;
    }

    static Arbitrary<String> values(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(numbers(), texts(5).map(Text::literal), Arbitraries.of("true", "false", "null"));
        if (depth == 0) {
            return scalar;
        }
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, scalar),
                net.jqwik.api.Tuple.of(1, Arbitraries.lazy(() -> values(depth - 1)).list().ofMaxSize(3)
                        .map(l -> "[" + String.join(",", l) + "]")),
                net.jqwik.api.Tuple.of(1, Combinators.combine(texts(3).map(Text::literal).list().ofMaxSize(3),
                        Arbitraries.lazy(() -> values(depth - 1)).list().ofSize(3)).as((keys, vals) -> {
                            StringBuilder o = new StringBuilder("{");
                            for (int i = 0; i < keys.size(); i++) {
                                o.append(i == 0 ? "" : ",").append(keys.get(i)).append(':').append(vals.get(i));
                            }
                            return o.append('}').toString();
                        })));
    }

    /** Payloads nested around the limit (128). */
    static Arbitrary<String> deep() {
        return Arbitraries.integers().between(120, 132).map(d -> "[".repeat(d) + "1" + "]".repeat(d));
    }

    /** Random whitespace between the tokens of compact JSON (never inside a string). */
    static String spaced(String compact, java.util.Random r) {
        StringBuilder out = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < compact.length(); i++) {
            char c = compact.charAt(i);
            if (!inString && "{}[],:".indexOf(c) >= 0 && r.nextInt(4) == 0) {
                out.append(" \n\t\r".charAt(r.nextInt(4)));
            }
            out.append(c);
            if (inString && c == '\\') {
                out.append(compact.charAt(++i));
                continue;
            }
            if (c == '"') {
                inString = !inString;
            }
        }
        return out.toString();
    }

    @Provide
    Arbitrary<List<Message>> batches() {
        Arbitrary<String> payload = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, values(3)), net.jqwik.api.Tuple.of(1, deep()));
        Arbitrary<Text> key = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, texts(8)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(16 * 1024 - 8, 16 * 1024 + 8)
                        .map(n -> new Text("\"" + "k".repeat(n) + "\"", "k".repeat(n)))));
        Arbitrary<Text> tag = Arbitraries.integers().between(250, 260).map(n -> new Text("\"" + "t".repeat(n) + "\"", "t".repeat(n)));
        Arbitrary<List<Map.Entry<Text, Text>>> headers = Combinators.combine(texts(4), texts(6)).as(Map::entry).list().ofMaxSize(4);
        Arbitrary<Message> message = Combinators.combine(payload, Arbitraries.longs(), key.injectNull(0.3), headers, tag.injectNull(0.6))
                .as((p, seed, k, h, t) -> new Message(p, spaced(p, new java.util.Random(seed)), k, h, t));
        return message.list().ofMinSize(1).ofMaxSize(4);
    }

    // ---- the property -------------------------------------------------------------------

    static long end() {
        return api.get(V + "/topics/" + TOPIC).json().get("partitions").get(0).get("endOffset").asLong();
    }

    @Property(tries = 40)
    void acceptedComesBackExactlyAndRefusedStoresNothing(@ForAll("batches") List<Message> batch) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            body.append(i == 0 ? "" : " ,\n").append("{\"payload\": ").append(m.payloadSent());
            if (m.key() != null) {
                body.append(",\"key\":").append(m.key().literal());
            }
            if (!m.headers().isEmpty()) {
                body.append(",\"headers\":{");
                for (int h = 0; h < m.headers().size(); h++) {
                    body.append(h == 0 ? "" : ",").append(m.headers().get(h).getKey().literal()).append(':')
                            .append(m.headers().get(h).getValue().literal());
                }
                body.append('}');
            }
            if (m.tag() != null) {
                body.append(",\"tag\":").append(m.tag().literal());
            }
            body.append('}');
        }
        long before = end();
        Api.Response r = api.postJson(V + "/topics/" + TOPIC + "/messages", body.append(']').toString());
        assertThat(r.status()).as(r.body()).isLessThan(500);
        if (r.status() != 200) {
            assertThat(r.status()).isBetween(400, 499);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(end()).as("a refused batch stored nothing").isEqualTo(before);
            return;
        }
        JsonNode results = r.json().get("results");
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            long offset = results.get(i).get("offset").asLong();
            Map<String, String> headers = new TreeMap<>();
            m.headers().forEach(h -> headers.put(h.getKey().value(), h.getValue().value()));
            Expected e = new Expected(offset, m.payloadCompact(), m.key() == null ? null : m.key().value(), headers,
                    m.tag() == null ? null : m.tag().value());
            assertThat(e.key() == null && m.key() != null).as("a key that is not valid Unicode was refused").isFalse();
            check(e, api.get(V + "/topics/" + TOPIC + "/partitions/0/messages?offset=" + offset + "&limit=1").body(), "browse");
            if (e.key() != null && e.key().length() < 2000) {
                String found = api.get(V + "/topics/" + TOPIC + "/messages?limit=100&key=" + URLEncoder.encode(e.key(),
                        StandardCharsets.UTF_8)).body();
                check(e, found, "key lookup");
            }
            accepted.add(e);
        }
    }

    /** {@code body} (a page or frame) holds a message at e's offset equal to e, payload byte for byte. */
    static void check(Expected e, String body, String how) {
        JsonNode doc = Api.JSON.readTree(body);
        JsonNode m = null;
        JsonNode list = doc.has("messages") ? doc.get("messages") : Api.JSON.createArrayNode().add(doc);
        for (JsonNode candidate : list) {
            if (candidate.get("offset").asLong() == e.offset()) {
                m = candidate;
            }
        }
        assertThat(m).as(how + " finds offset " + e.offset() + " in " + body.substring(0, Math.min(300, body.length()))).isNotNull();
        assertThat(body).as(how + ": the payload exactly as sent").contains("\"payload\":" + e.payload());
        assertThat(m.get("key").isNull() ? null : m.get("key").asString()).as(how + " key").isEqualTo(e.key());
        Map<String, String> headers = new TreeMap<>();
        m.get("headers").properties().forEach(h -> headers.put(h.getKey(), h.getValue().asString()));
        assertThat(headers).as(how + " headers").isEqualTo(e.headers());
        assertThat(m.get("tag").isNull() ? null : m.get("tag").asString()).as(how + " tag").isEqualTo(e.tag());
    }

    @AfterContainer
    static void everyAcceptedMessageComesBackOverSseAndWebSocket() throws Exception {
        assertThat(accepted).as("the property accepted some messages").isNotEmpty();
        List<Expected> expected = new ArrayList<>(accepted);
        expected.sort(java.util.Comparator.comparingLong(Expected::offset));
        try (SseClient sse = SseClient.open(api.http(), api.uri(V + "/topics/" + TOPIC + "/subscriptions/rt/events"), null)) {
            List<SseClient.Event> events = sse.take(expected.size(), Duration.ofSeconds(60));
            for (int i = 0; i < expected.size(); i++) {
                check(expected.get(i), events.get(i).data(), "SSE");
            }
        }
        try (WsClient ws = WsClient.open(api.http(), api.base(), "/ws/v1/vhosts/default/topics/" + TOPIC + "/subscriptions/rt?credit="
                + expected.size())) {
            List<String> frames = ws.take(expected.size(), Duration.ofSeconds(60));
            for (int i = 0; i < expected.size(); i++) {
                check(expected.get(i), frames.get(i), "WebSocket");
            }
        }
    }
}
