package io.tributary.protocol.problem;

import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;

/**
 * Says in a client's terms what is wrong with a JSON body, from a Jackson exception whose own
 * message names Jackson's classes and settings ({@code StreamReadConstraints.getMaxNestingDepth()},
 * {@code tools.jackson.databind.JsonNode}): the problem and where it is, nothing of the
 * implementation.
 */
public final class JsonProblems {
    private JsonProblems() {
    }

    public static String describe(JacksonException e) {
        String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
        if (e instanceof StreamConstraintsException) {
            String m = String.valueOf(e.getOriginalMessage());
            if (m.contains("nesting")) {
                return "the JSON is nested too deeply" + where;
            }
            if (m.contains("Number")) {
                return "a number is too long" + where;
            }
            if (m.contains("String") || m.contains("Name")) {
                return "a string is too long" + where;
            }
            return "the JSON is too large" + where;
        }
        return clean(e.getOriginalMessage()) + where;
    }

    /** A parser message without Java type names or Jackson's hints about its own settings. */
    public static String clean(String message) {
        if (message == null) {
            return "not valid JSON";
        }
        String m = message;
        int hint = m.indexOf("(set ");
        if (hint >= 0) {
            m = m.substring(0, hint);
        }
        m = m.replaceAll("`?(tools\\.jackson|com\\.fasterxml|java\\.lang|java\\.util|io\\.tributary)\\.[\\w.$]+`?", "a value");
        m = m.replaceAll("\\s+", " ").strip();
        return m.length() > 200 ? m.substring(0, 200) : m;
    }
}
