package io.tributary.gateway.subscription;

import io.tributary.protocol.problem.TributaryException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A frame a WebSocket consumer sends: {@code {"ack":["0-41"]}},
 * {@code {"nack":["0-42"],"requeue":true}} or {@code {"credit":100}}.
 */
record ClientFrame(Kind kind, List<MessageId> ids, boolean requeue, long credit) {
    enum Kind { ACK, NACK, CREDIT }

    /** A delivered message's id, {@code <partition>-<offset>}. */
    record MessageId(int partition, long offset) {
        static MessageId parse(String id) {
            int dash = id.indexOf('-');
            try {
                if (dash > 0) {
                    return new MessageId((int) io.tributary.gateway.request.StrictNumbers.parse(id.substring(0, dash), Integer.MAX_VALUE),
                            io.tributary.gateway.request.StrictNumbers.parse(id.substring(dash + 1), Long.MAX_VALUE));
                }
            } catch (IllegalArgumentException ignored) {
                // falls through to the error below
            }
            throw TributaryException.invalidArgument("'" + id + "' is not a message id (<partition>-<offset>)");
        }
    }

    static final long MAX_CREDIT = 1_000_000;

    /** The permits a connection starts with: its {@code ?credit=} parameter, or {@code fallback}. */
    static long initialCredit(String raw, long fallback) {
        if (raw == null) {
            return fallback;
        }
        return io.tributary.gateway.request.StrictNumbers.require("credit", raw, MAX_CREDIT);
    }

    static ClientFrame parse(JsonMapper json, String text) {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JacksonException e) {
            throw TributaryException.malformed("frame is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw TributaryException.malformed("a frame is a JSON object: {\"ack\":[...]}, {\"nack\":[...]} or {\"credit\":n}");
        }
        if (node.has("credit")) {
            JsonNode c = node.get("credit");
            if (!c.isIntegralNumber() || !c.canConvertToLong() || c.longValue() < 1 || c.longValue() > MAX_CREDIT) {
                throw TributaryException.invalidArgument("credit must be a whole number from 1 to " + MAX_CREDIT);
            }
            return new ClientFrame(Kind.CREDIT, List.of(), false, c.longValue());
        }
        if (node.has("ack")) {
            return new ClientFrame(Kind.ACK, ids(node.get("ack"), "ack"), false, 0);
        }
        if (node.has("nack")) {
            JsonNode requeue = node.get("requeue");
            if (requeue != null && !requeue.isBoolean()) {
                throw TributaryException.invalidArgument("requeue must be true or false");
            }
            return new ClientFrame(Kind.NACK, ids(node.get("nack"), "nack"), requeue == null || requeue.asBoolean(true), 0);
        }
        throw TributaryException.invalidArgument("unknown frame: expected ack, nack or credit");
    }

    static List<MessageId> ids(JsonNode array, String name) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw TributaryException.invalidArgument(name + " must be a non-empty array of message ids");
        }
        List<MessageId> ids = new ArrayList<>();
        for (JsonNode n : array) {
            if (!n.isString()) {
                throw TributaryException.invalidArgument(name + " ids are strings like \"0-41\"");
            }
            ids.add(MessageId.parse(n.asString()));
        }
        return ids;
    }
}
