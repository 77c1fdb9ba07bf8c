package io.tributary.protocol.naming;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.util.regex.Pattern;

/**
 * Names of vhosts, topics, exchanges and subscriptions: 1 to 200 characters from
 * {@code [A-Za-z0-9._-]}, not {@code .} or {@code ..} (Kafka's rule). Names become path
 * segments on disk and Redis key parts, so nothing else is accepted.
 */
public final class Names {
    public static final int MAX_LENGTH = 200;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_LENGTH + "}");

    private Names() {
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /** Returns {@code name} or throws {@code invalid-name} naming what was wrong. */
    public static String require(String kind, String name) {
        if (!isValid(name)) {
            throw new TributaryException(ProblemType.INVALID_NAME, kind + " name '" + abbreviate(name)
                    + "' is invalid: use 1 to " + MAX_LENGTH + " characters from A-Z a-z 0-9 . _ - (not '.' or '..')");
        }
        return name;
    }

    private static String abbreviate(String name) {
        if (name == null) {
            return "";
        }
        return name.length() > 60 ? name.substring(0, 60) + "..." : name;
    }
}
