package io.tributary.gateway.subscription;

import io.tributary.protocol.problem.TributaryException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The subscription a WebSocket URL names: {@code /ws/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}}. */
record SubscriptionPath(String vhost, String topic, String sub) {
    static final String PATTERN = "/ws/v1/vhosts/*/topics/*/subscriptions/*";
    private static final Pattern PATH = Pattern.compile("^/ws/v1/vhosts/([^/]+)/topics/([^/]+)/subscriptions/([^/]+)/?$");

    static SubscriptionPath parse(String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            throw TributaryException.notFound("no WebSocket endpoint at " + path);
        }
        return new SubscriptionPath(m.group(1), m.group(2), m.group(3));
    }
}
