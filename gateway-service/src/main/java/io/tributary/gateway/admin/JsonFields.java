package io.tributary.gateway.admin;

import io.tributary.protocol.problem.TributaryException;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Strict reading of small admin request bodies: unknown fields and wrong types are refused
 * with a message naming the field, because a silently ignored typo ({@code "partitons": 3})
 * would create something the client did not ask for.
 */
public final class JsonFields {
    private final JsonNode node;
    private final String what;

    private JsonFields(JsonNode node, String what) {
        this.node = node;
        this.what = what;
    }

    /** Wraps an object body (null = empty), refusing fields outside {@code allowed}. */
    public static JsonFields of(JsonNode body, String what, Set<String> allowed) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return new JsonFields(null, what);
        }
        if (!body.isObject()) {
            throw TributaryException.malformed(what + " must be a JSON object");
        }
        for (String name : body.propertyNames()) {
            if (!allowed.contains(name)) {
                throw TributaryException.invalidArgument(what + ": unknown field '" + name + "' (allowed: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
        return new JsonFields(body, what);
    }

    public JsonNode get(String name) {
        JsonNode v = node == null ? null : node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    public Integer integer(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw TributaryException.invalidArgument(what + ": " + name + " must be a whole number");
        }
        return v.intValue();
    }

    public Long longValue(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw TributaryException.invalidArgument(what + ": " + name + " must be a whole number");
        }
        return v.longValue();
    }

    public Boolean bool(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw TributaryException.invalidArgument(what + ": " + name + " must be true or false");
        }
        return v.booleanValue();
    }

    public String string(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isString()) {
            throw TributaryException.invalidArgument(what + ": " + name + " must be a string");
        }
        return v.asString();
    }
}
