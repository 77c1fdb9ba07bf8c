package io.tributary.gateway.auth;

import io.tributary.protocol.problem.TributaryException;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One user's rights in one vhost, RabbitMQ's model: three regular expressions over object
 * names (topics, exchanges, subscriptions). Unlike RabbitMQ, which searches for the pattern
 * anywhere in the name, a pattern here must match the whole name: {@code orders} grants
 * {@code orders} and not {@code orders-archive}; write {@code orders.*} for a prefix. The
 * empty pattern grants nothing.
 */
public record Permission(String configure, String write, String read, Pattern configurePattern, Pattern writePattern,
        Pattern readPattern) {
    public static final int MAX_PATTERN_LENGTH = 1000;

    public static Permission of(String configure, String write, String read) {
        return new Permission(configure, write, read, compile("configure", configure), compile("write", write),
                compile("read", read));
    }

    public static Permission all() {
        return of(".*", ".*", ".*");
    }

    public boolean allows(Access access, String name) {
        Pattern p = switch (access) {
            case CONFIGURE -> configurePattern;
            case WRITE -> writePattern;
            case READ -> readPattern;
        };
        return !p.pattern().isEmpty() && p.matcher(name).matches();
    }

    private static Pattern compile(String which, String regex) {
        if (regex == null) {
            throw TributaryException.invalidArgument("'" + which + "' is required: a regular expression, \"\" for none");
        }
        if (regex.length() > MAX_PATTERN_LENGTH) {
            throw TributaryException.invalidArgument("'" + which + "' is longer than " + MAX_PATTERN_LENGTH + " characters");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw TributaryException.invalidArgument("'" + which + "' is not a regular expression: " + e.getDescription());
        }
    }

    /** The three kinds of right, as RabbitMQ names them. */
    public enum Access {
        CONFIGURE, WRITE, READ;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
