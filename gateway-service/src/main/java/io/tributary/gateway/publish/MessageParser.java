package io.tributary.gateway.publish;

import io.tributary.protocol.problem.JsonProblems;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.PublishEntry;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Parses a publish body (one message object, a JSON array of them, or NDJSON) straight into
 * encoded records, in one streaming pass: this is the only place a message is parsed, and
 * the records it produces travel to storage and back to consumers unchanged.
 *
 * <p>A message object: {@code key}, {@code headers} (string values), {@code tag},
 * {@code payload} (any JSON value) or {@code payloadBase64}, {@code ttlMs}, {@code delayMs} or
 * {@code deliverAt} (epoch ms; one in the past means now), {@code id}, {@code partition};
 * {@code routingKey} on exchange publishes. A delayed message's TTL counts from its delivery
 * time, as in RabbitMQ (a message's TTL starts when it enters the queue). Anything else is refused, as is
 * a whole body with any bad message: nothing of a rejected batch is stored.
 */
public final class MessageParser {
    public static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");
    static final int MAX_SHORT_FIELD_BYTES = 255;
    static final int MAX_KEY_BYTES = 16 * 1024;
    static final int MAX_HEADERS = 64;
    static final int MAX_HEADER_VALUE_BYTES = 16 * 1024;
    /**
     * How deep a JSON payload may nest. Applied once, here: every read path writes payloads as
     * stored (never parses them again), and any JSON library a consumer uses reads 128 levels
     * plus the few of the message around it.
     */
    static final int MAX_PAYLOAD_DEPTH = 128;
    /** Nesting the parser accepts at all (a body is refused with a clear message well before Jackson's own limit). */
    private static final int MAX_BODY_DEPTH = 1000;

    private final JsonFactory factory;
    /** The largest message: key, headers, tag, id and payload as encoded, like Kafka's max.message.bytes. */
    private final long maxMessageBytes;
    /** How far ahead a message may be delayed. */
    private final long maxDelayMs;
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofDays(30);

    /** What applies to every message of one request. */
    private record Request(long timestamp, boolean allowRoutingKey, String idPrefix) {
    }

    public MessageParser(long maxMessageBytes) {
        this(maxMessageBytes, DEFAULT_MAX_DELAY);
    }

    public MessageParser(long maxMessageBytes, Duration maxDelay) {
        this.maxDelayMs = maxDelay.toMillis();
        // Numbers of any length up to the message limit are accepted and kept as written.
        this.factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_BODY_DEPTH)
                .maxNumberLength((int) Math.min(Integer.MAX_VALUE, Math.max(1000, maxMessageBytes)))
                .build()).build();
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Parses the body; every message gets {@code timestamp}. Throws a 4xx problem on any bad input. */
    public List<PublishEntry> parse(byte[] body, MediaType contentType, long timestamp, boolean allowRoutingKey) {
        return parse(body, contentType, timestamp, allowRoutingKey, null);
    }

    /**
     * Parses the body; a message without an {@code id} of its own gets {@code idPrefix + index}
     * when {@code idPrefix} is given (a request with an Idempotency-Key).
     */
    public List<PublishEntry> parse(byte[] body, MediaType contentType, long timestamp, boolean allowRoutingKey, String idPrefix) {
        Request request = new Request(timestamp, allowRoutingKey, idPrefix);
        List<PublishEntry> entries = new ArrayList<>();
        if (contentType != null && NDJSON.isCompatibleWith(contentType)) {
            parseNdjson(body, request, entries);
        } else if (contentType == null || MediaType.APPLICATION_JSON.isCompatibleWith(contentType)) {
            parseJson(body, request, entries);
        } else {
            throw new TributaryException(io.tributary.protocol.problem.ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "publish bodies are application/json (one message or an array) or application/x-ndjson, not " + contentType);
        }
        if (entries.isEmpty()) {
            throw TributaryException.invalidArgument("the body holds no message");
        }
        return entries;
    }

    private void parseJson(byte[] body, Request request, List<PublishEntry> out) {
        try (JsonParser p = factory.createParser(ObjectReadContext.empty(), body)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                out.add(message(p, body, 0, request));
            } else if (t == JsonToken.START_ARRAY) {
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.START_OBJECT) {
                        throw TributaryException.malformed("message " + out.size() + " is not a JSON object");
                    }
                    out.add(message(p, body, out.size(), request));
                }
            } else {
                throw TributaryException.malformed(t == null ? "the body is empty"
                        : "the body must be a message object or an array of them");
            }
            if (p.nextToken() != null) {
                throw TributaryException.malformed("unexpected content after the JSON value");
            }
        } catch (JacksonException e) {
            throw TributaryException.malformed("malformed JSON: " + JsonProblems.describe(e));
        }
    }

    private void parseNdjson(byte[] body, Request request, List<PublishEntry> out) {
        int lineStart = 0;
        while (lineStart <= body.length) {
            int nl = indexOf(body, (byte) '\n', lineStart);
            int lineEnd = nl < 0 ? body.length : nl;
            byte[] line = Arrays.copyOfRange(body, lineStart, lineEnd);
            if (!new String(line, StandardCharsets.UTF_8).isBlank()) {
                try (JsonParser p = factory.createParser(ObjectReadContext.empty(), line)) {
                    if (p.nextToken() != JsonToken.START_OBJECT) {
                        throw TributaryException.malformed("NDJSON line " + (out.size() + 1) + " is not a JSON object");
                    }
                    out.add(message(p, line, out.size(), request));
                    if (p.nextToken() != null) {
                        throw TributaryException.malformed("NDJSON line " + out.size() + " holds more than one value");
                    }
                } catch (JacksonException e) {
                    throw TributaryException.malformed("malformed JSON on NDJSON line " + (out.size() + 1) + ": " + JsonProblems.describe(e));
                }
            }
            if (nl < 0) {
                break;
            }
            lineStart = nl + 1;
        }
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** One message object; the parser is on its START_OBJECT. */
    private PublishEntry message(JsonParser p, byte[] source, int index, Request request) {
        long timestamp = request.timestamp();
        String where = "message " + index;
        byte[] key = null;
        String tag = null;
        String id = null;
        String routingKey = null;
        Map<String, String> headers = Map.of();
        byte[] payload = null;
        boolean jsonPayload = false;
        int partition = PublishEntry.ANY_PARTITION;
        long ttl = 0;
        long delay = -1;
        long deliverAt = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "key" -> {
                    String k = optionalString(p, v, where, name);
                    key = k == null ? null : bounded(utf8(k, where, name), MAX_KEY_BYTES, where, name);
                }
                case "tag" -> tag = shortString(p, v, where, name);
                case "id" -> id = shortString(p, v, where, name);
                case "routingKey" -> {
                    if (!request.allowRoutingKey()) {
                        throw TributaryException.invalidArgument(where + ": routingKey is for exchange publishes, not a publish to a topic");
                    }
                    routingKey = shortString(p, v, where, name);
                }
                case "headers" -> headers = headers(p, v, where);
                case "payload" -> {
                    if (payload != null) {
                        throw TributaryException.invalidArgument(where + ": give payload or payloadBase64, not both");
                    }
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    checkDepth(p, v, where);
                    payload = PayloadText.copy(source, start);
                    jsonPayload = true;
                }
                case "payloadBase64" -> {
                    if (payload != null) {
                        throw TributaryException.invalidArgument(where + ": give payload or payloadBase64, not both");
                    }
                    payload = base64(p, v, where);
                }
                case "partition" -> partition = (int) nonNegative(p, v, where, name, Integer.MAX_VALUE);
                case "ttlMs" -> ttl = nonNegative(p, v, where, name, Long.MAX_VALUE / 4);
                case "delayMs", "deliverAt" -> {
                    if (delay >= 0) {
                        throw TributaryException.invalidArgument(where + ": give delayMs or deliverAt, not both");
                    }
                    long n = wholeNumber(p, v, where, name);
                    delay = name.equals("delayMs") ? n : Math.max(0, n - timestamp);
                    if (n < 0 && name.equals("delayMs")) {
                        throw TributaryException.invalidArgument(where + ": delayMs must not be negative");
                    }
                    if (delay > maxDelayMs) {
                        throw TributaryException.invalidArgument(where + ": " + name + " is " + delay + " ms ahead; messages may be "
                                + "delayed by at most " + maxDelayMs + " ms (" + Duration.ofMillis(maxDelayMs) + ")");
                    }
                    deliverAt = delay == 0 ? 0 : timestamp + delay;
                }
                default -> throw TributaryException.invalidArgument(where + ": unknown field '" + name + "'");
            }
        }
        if (payload == null) {
            throw TributaryException.invalidArgument(where + ": needs a payload (or payloadBase64)");
        }
        if (payload.length > maxMessageBytes) {
            throw TributaryException.payloadTooLarge(where + ": payload is " + payload.length + " bytes; a message (key, "
                    + "headers, tag and payload) may take " + maxMessageBytes);
        }
        if (id == null && request.idPrefix() != null) {
            id = request.idPrefix() + index;
        }
        long expireAt = ttl == 0 ? 0 : (deliverAt == 0 ? timestamp : deliverAt) + ttl;
        Record record = new Record(-1, timestamp, deliverAt, expireAt, key, tag, id, headers, payload, jsonPayload);
        byte[] encoded = RecordCodec.encode(record);
        if (encoded.length > maxMessageBytes) {
            throw TributaryException.payloadTooLarge(where + ": the message is " + encoded.length + " bytes with its key, "
                    + "headers and tag; the limit is " + maxMessageBytes);
        }
        return new PublishEntry(partition, routingKey, ByteBuffer.wrap(encoded));
    }

    /** Walks a payload the parser is on (validating it) and refuses one nested deeper than {@link #MAX_PAYLOAD_DEPTH}. */
    private static void checkDepth(JsonParser p, JsonToken first, String where) {
        if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
            return;
        }
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                if (++depth > MAX_PAYLOAD_DEPTH) {
                    throw TributaryException.invalidArgument(where + ": payload is nested deeper than " + MAX_PAYLOAD_DEPTH
                            + " levels");
                }
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == null) {
                throw TributaryException.malformed(where + ": the payload is cut off");
            }
        }
    }

    /** The UTF-8 bytes of a text field; a string that is not valid Unicode (a lone surrogate) is refused, naming the field. */
    static byte[] utf8(String s, String where, String name) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw TributaryException.invalidArgument(where + ": " + name + " is not valid Unicode (a lone surrogate \\u"
                        + Integer.toHexString(c) + " at character " + i + ")");
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String optionalString(JsonParser p, JsonToken v, String where, String name) {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_STRING) {
            throw TributaryException.invalidArgument(where + ": " + name + " must be a string");
        }
        return p.getString();
    }

    private static String shortString(JsonParser p, JsonToken v, String where, String name) {
        String s = optionalString(p, v, where, name);
        if (s != null) {
            bounded(utf8(s, where, name), MAX_SHORT_FIELD_BYTES, where, name);
        }
        return s;
    }

    private static byte[] bounded(byte[] bytes, int max, String where, String name) {
        if (bytes.length > max) {
            throw TributaryException.invalidArgument(where + ": " + name + " is " + bytes.length + " bytes; at most " + max);
        }
        return bytes;
    }

    private static long wholeNumber(JsonParser p, JsonToken v, String where, String name) {
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw TributaryException.invalidArgument(where + ": " + name + " must be a whole number");
        }
        try {
            return p.getLongValue();
        } catch (JacksonException e) {
            throw TributaryException.invalidArgument(where + ": " + name + " is out of range");
        }
    }

    private static long nonNegative(JsonParser p, JsonToken v, String where, String name, long max) {
        long n = wholeNumber(p, v, where, name);
        if (n < 0 || n > max) {
            throw TributaryException.invalidArgument(where + ": " + name + " must be between 0 and " + max);
        }
        return n;
    }

    private static Map<String, String> headers(JsonParser p, JsonToken v, String where) {
        if (v == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (v != JsonToken.START_OBJECT) {
            throw TributaryException.invalidArgument(where + ": headers must be an object of strings");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        while (p.nextToken() != JsonToken.END_OBJECT) {
            String name = p.currentName();
            bounded(utf8(name, where, "a header name"), MAX_SHORT_FIELD_BYTES, where, "header name");
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw TributaryException.invalidArgument(where + ": header '" + name + "' must have a string value");
            }
            String value = p.getString();
            bounded(utf8(value, where, "header '" + name + "'"), MAX_HEADER_VALUE_BYTES, where, "header '" + name + "'");
            headers.put(name, value);
            if (headers.size() > MAX_HEADERS) {
                throw TributaryException.invalidArgument(where + ": more than " + MAX_HEADERS + " headers");
            }
        }
        return headers;
    }

    private static byte[] base64(JsonParser p, JsonToken v, String where) {
        if (v != JsonToken.VALUE_STRING) {
            throw TributaryException.invalidArgument(where + ": payloadBase64 must be a base64 string");
        }
        try {
            return Base64.getDecoder().decode(p.getString());
        } catch (IllegalArgumentException e) {
            throw TributaryException.invalidArgument(where + ": payloadBase64 is not valid base64 (" + e.getMessage() + ")");
        }
    }
}
