package io.tributary.gateway.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.PublishEntry;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class MessageParserTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    final MessageParser parser = new MessageParser(1024);

    List<PublishEntry> parse(String body) {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8), MediaType.APPLICATION_JSON, 1000, false);
    }

    static Record record(PublishEntry e) {
        return RecordCodec.decode(e.record(), -1);
    }

    static ProblemType typeOf(Runnable r) {
        try {
            r.run();
        } catch (TributaryException e) {
            return e.type();
        }
        throw new AssertionError("no problem raised");
    }

    @Test
    void oneMessageWithEveryField() {
        PublishEntry e = parse("""
                {"key":"k1","headers":{"a":"b"},"tag":"TagA","payload":{"x":[1,2,{"y":null}]},"ttlMs":500,"id":"idem-1","partition":2}""").get(0);
        Record r = record(e);
        assertThat(e.partition()).isEqualTo(2);
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("k1");
        assertThat(r.headers()).isEqualTo(Map.of("a", "b"));
        assertThat(r.tag()).isEqualTo("TagA");
        assertThat(r.id()).isEqualTo("idem-1");
        assertThat(r.timestamp()).isEqualTo(1000);
        assertThat(r.expireAt()).isEqualTo(1500);
        assertThat(r.jsonPayload()).isTrue();
        assertThat(JSON.readTree(r.payload())).isEqualTo(JSON.readTree("{\"x\":[1,2,{\"y\":null}]}"));
    }

    /** A delay makes a deliverAt; a deliverAt in the past is now; a delayed message's TTL runs from its delivery. */
    @Test
    void delaysAndTheirTtl() {
        Record delayed = record(parse("{\"payload\":1,\"delayMs\":250,\"ttlMs\":100}").get(0));
        assertThat(delayed.deliverAt()).isEqualTo(1250);
        assertThat(delayed.expireAt()).isEqualTo(1350);
        assertThat(delayed.scheduled()).isTrue();
        assertThat(record(parse("{\"payload\":1,\"deliverAt\":4000}").get(0)).deliverAt()).isEqualTo(4000);
        assertThat(record(parse("{\"payload\":1,\"deliverAt\":10}").get(0)).deliverAt()).isZero();
        assertThat(record(parse("{\"payload\":1,\"delayMs\":0}").get(0)).scheduled()).isFalse();
        assertThat(record(parse("{\"payload\":1,\"ttlMs\":100}").get(0)).expireAt()).isEqualTo(1100);
    }

    /** Whatever JSON value a payload is, it comes back as the same value. */
    @Property
    void payloadsSurviveAsTheSameJsonValue(@ForAll @IntRange(min = 0, max = 6) int kind, @ForAll String text, @ForAll long number) {
        String payload = switch (kind) {
            case 0 -> JSON.writeValueAsString(text);
            case 1 -> Long.toString(number);
            case 2 -> "true";
            case 3 -> "null";
            case 4 -> "[" + JSON.writeValueAsString(text) + "," + number + "]";
            case 5 -> "{\"t\":" + JSON.writeValueAsString(text) + ",\"n\":" + number + "}";
            default -> "1.5e10";
        };
        if (payload.getBytes(StandardCharsets.UTF_8).length > 1000) {
            return;
        }
        Record r = record(parse("{\"payload\":" + payload + "}").get(0));
        JsonNode back = JSON.readTree(r.payload());
        assertThat(back).isEqualTo(JSON.readTree(payload));
    }

    @Test
    void arraysAndNdjsonKeepRequestOrder() {
        List<PublishEntry> array = parse("[{\"payload\":1},{\"payload\":2},{\"payload\":3}]");
        assertThat(array).extracting(e -> new String(record(e).payload(), StandardCharsets.UTF_8)).containsExactly("1", "2", "3");
        List<PublishEntry> nd = parser.parse("{\"payload\":1}\n\n{\"payload\":2}\r\n{\"payload\":3}".getBytes(StandardCharsets.UTF_8),
                MediaType.parseMediaType("application/x-ndjson"), 1, false);
        assertThat(nd).extracting(e -> new String(record(e).payload(), StandardCharsets.UTF_8)).containsExactly("1", "2", "3");
    }

    @Test
    void base64PayloadsAreBytes() {
        Record r = record(parse("{\"payloadBase64\":\"AAEC/w==\"}").get(0));
        assertThat(r.jsonPayload()).isFalse();
        assertThat(r.payload()).containsExactly(0, 1, 2, 255);
    }

    @Test
    void everyKindOfBadInputIsAFourHundred() {
        assertThat(typeOf(() -> parse("{\"payload\":"))).isEqualTo(ProblemType.MALFORMED_REQUEST);
        assertThat(typeOf(() -> parse(""))).isEqualTo(ProblemType.MALFORMED_REQUEST);
        assertThat(typeOf(() -> parse("42"))).isEqualTo(ProblemType.MALFORMED_REQUEST);
        assertThat(typeOf(() -> parse("[1]"))).isEqualTo(ProblemType.MALFORMED_REQUEST);
        assertThat(typeOf(() -> parse("{\"payload\":1} {\"payload\":2}"))).isEqualTo(ProblemType.MALFORMED_REQUEST);
        assertThat(typeOf(() -> parse("[]"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"key\":\"k\"}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"payloadBase64\":\"AA==\"}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payloadBase64\":\"***\"}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"headers\":{\"a\":1}}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"partition\":-1}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"partition\":1.5}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"routingKey\":\"a.b\"}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"delayMs\":-1}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"delayMs\":1.5}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"delayMs\":5,\"deliverAt\":9000}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"delayMs\":" + (MessageParser.DEFAULT_MAX_DELAY.toMillis() + 1) + "}")))
                .isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"deliverAt\":" + (1000 + MessageParser.DEFAULT_MAX_DELAY.toMillis() + 1) + "}")))
                .isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":1,\"tag\":\"" + "t".repeat(256) + "\"}"))).isEqualTo(ProblemType.INVALID_ARGUMENT);
        assertThat(typeOf(() -> parse("{\"payload\":\"" + "x".repeat(1100) + "\"}"))).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
        assertThat(typeOf(() -> parser.parse("x".getBytes(StandardCharsets.UTF_8), MediaType.TEXT_PLAIN, 1, false)))
                .isEqualTo(ProblemType.UNSUPPORTED_MEDIA_TYPE);
    }

    @Test
    void problemsNameTheMessage() {
        assertThatThrownBy(() -> parse("[{\"payload\":1},{\"payload\":2,\"colour\":\"red\"}]"))
                .hasMessageContaining("message 1").hasMessageContaining("colour");
    }

    @Test
    void exchangePublishesMayCarryARoutingKey() {
        PublishEntry e = parser.parse("{\"routingKey\":\"eu.orders\",\"payload\":1}".getBytes(StandardCharsets.UTF_8),
                MediaType.APPLICATION_JSON, 1, true).get(0);
        assertThat(e.routingKey()).isEqualTo("eu.orders");
    }

    static String payloadText(PublishEntry e) {
        return new String(record(e).payload(), StandardCharsets.UTF_8);
    }

    /** Numbers of any size and precision, escapes and key order come back exactly; only whitespace between tokens goes. */
    @Test
    void aPayloadIsKeptAsWrittenNotReRendered() {
        assertThat(payloadText(parse("{\"payload\":1e400}").get(0))).isEqualTo("1e400");
        assertThat(payloadText(parse("{\"payload\":1.0e-400}").get(0))).isEqualTo("1.0e-400");
        String digits = "1234567890".repeat(50) + ".000000000000000000001";
        assertThat(payloadText(parse("{\"payload\":" + digits + "}").get(0))).isEqualTo(digits);
        assertThat(payloadText(parse("{\"payload\": { \"b\" : [ 1 , 2.50 ] ,\n \"a\":\"x \\\" y\\u00e9\" } , \"key\":\"k\"}").get(0)))
                .isEqualTo("{\"b\":[1,2.50],\"a\":\"x \\\" y\\u00e9\"}");
        assertThat(payloadText(parse("{\"payload\" : true , \"key\":\"k\"}").get(0))).isEqualTo("true");
        assertThat(payloadText(parse("{\"payload\":\"a, b} c\"}").get(0))).isEqualTo("\"a, b} c\"");
        List<PublishEntry> nd = parser.parse("{\"payload\": -0.0 }\n{\"payload\":[ ]}".getBytes(StandardCharsets.UTF_8),
                MediaType.parseMediaType("application/x-ndjson"), 1, false);
        assertThat(nd).extracting(MessageParserTest::payloadText).containsExactly("-0.0", "[]");
    }

    @Test
    void onePayloadNestingLimit() {
        String ok = "[".repeat(MessageParser.MAX_PAYLOAD_DEPTH) + "]".repeat(MessageParser.MAX_PAYLOAD_DEPTH);
        assertThat(payloadText(parse("{\"payload\":" + ok + "}").get(0))).isEqualTo(ok);
        String deep = "[".repeat(MessageParser.MAX_PAYLOAD_DEPTH + 1) + "]".repeat(MessageParser.MAX_PAYLOAD_DEPTH + 1);
        assertThatThrownBy(() -> parse("{\"payload\":" + deep + "}")).isInstanceOfSatisfying(TributaryException.class, e -> {
            assertThat(e.type()).isEqualTo(ProblemType.INVALID_ARGUMENT);
            assertThat(e.detail()).contains("nested deeper than " + MessageParser.MAX_PAYLOAD_DEPTH);
        });
        String absurd = "[".repeat(5000);
        assertThatThrownBy(() -> parse("{\"payload\":" + absurd + "}")).isInstanceOfSatisfying(TributaryException.class,
                e -> assertThat(e.detail()).doesNotContain("StreamReadConstraints").doesNotContain("jackson"));
    }

    @Test
    void textFieldsMustBeValidUnicode() {
        for (String field : List.of("\"key\":\"\\ud800\"", "\"tag\":\"a\\udc00\"", "\"id\":\"\\ud800x\"",
                "\"headers\":{\"h\":\"\\udfff\"}", "\"headers\":{\"\\ud800\":\"v\"}")) {
            assertThatThrownBy(() -> parse("{" + field + ",\"payload\":1}")).as(field)
                    .isInstanceOfSatisfying(TributaryException.class, e -> {
                        // Jackson itself refuses one in a field name (malformed); values are ours to check.
                        assertThat(e.type()).as(field + ": " + e.detail()).isIn(ProblemType.INVALID_ARGUMENT, ProblemType.MALFORMED_REQUEST);
                        assertThat(e.detail()).containsIgnoringCase("surrogate");
                    });
        }
        Record pair = record(parse("{\"key\":\"\\ud83d\\ude00\",\"payload\":1}").get(0));
        assertThat(new String(pair.key(), StandardCharsets.UTF_8)).isEqualTo("\ud83d\ude00");
    }

    @Test
    void theMessageLimitCoversKeyHeadersTagAndPayload() {
        MessageParser small = new MessageParser(2000);
        String bigHeader = "h".repeat(1500);
        assertThatThrownBy(() -> small.parse(("{\"headers\":{\"a\":\"" + bigHeader + "\"},\"key\":\"" + "k".repeat(600)
                + "\",\"payload\":1}").getBytes(StandardCharsets.UTF_8), MediaType.APPLICATION_JSON, 1, false))
                .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.type()).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE));
        assertThat(typeOf(() -> parse("{\"headers\":{\"a\":\"" + "v".repeat(MessageParser.MAX_HEADER_VALUE_BYTES + 1)
                + "\"},\"payload\":1}"))).isIn(ProblemType.INVALID_ARGUMENT, ProblemType.PAYLOAD_TOO_LARGE);
    }
}
