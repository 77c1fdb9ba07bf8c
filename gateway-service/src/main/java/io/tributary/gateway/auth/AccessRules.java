package io.tributary.gateway.auth;

import io.tributary.gateway.auth.Permission.Access;
import io.tributary.protocol.problem.TributaryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The operation-to-permission table (README "Security" shows it): what each public endpoint
 * needs, decided from the method and the path before any controller runs. Paths are matched
 * with the parser the controllers are mapped with, so the names checked here are exactly the
 * names the controller acts on (percent-decoding, matrix parameters and trailing slashes
 * treated the same way). Anything not in the table is for administrators only, so a new
 * endpoint is closed until someone says who may use it.
 *
 * <p>Two checks need the request body and are made where it is read: a binding needs write
 * on its destination ({@code ExchangeController}) and an exchange publish needs write on every
 * topic it reaches (routing checks them as it routes).
 */
public final class AccessRules {
    private static final PathPatternParser PARSER = PathPatternParser.defaultInstance;
    private static final String V = "/api/v1/vhosts/{vhost}";
    private static final String SUB = V + "/topics/{topic}/subscriptions/{sub}";
    private final List<Rule> rules = new ArrayList<>();
    private final java.util.function.Predicate<String> vhostExists;

    /** Every vhost taken to exist (unit tests). */
    public AccessRules() {
        this(vhost -> true);
    }

    /**
     * {@code vhostExists}: whether a vhost exists, so that an administrator asking about one
     * that does not gets the controller's 404 rather than a 403 (anyone else gets the 403
     * either way: whether a vhost exists is not theirs to learn).
     */
    public AccessRules(java.util.function.Predicate<String> vhostExists) {
        this.vhostExists = vhostExists;
        anyone(null, "/api/v1/whoami");
        anyone(HttpMethod.GET, "/api/v1/vhosts");
        admin(null, "/api/v1/vhosts/{vhost}");
        admin(null, V + "/permissions");
        admin(null, V + "/permissions/{user}");
        admin(null, V + "/limits");
        admin(null, "/api/v1/users/**");
        admin(null, "/api/v1/cluster/**");

        vhost(HttpMethod.GET, V + "/topics");
        vhost(HttpMethod.GET, V + "/topics/{topic}");
        grants(HttpMethod.PUT, V + "/topics/{topic}", v -> List.of(topic(Access.CONFIGURE, v)));
        grants(HttpMethod.DELETE, V + "/topics/{topic}", v -> List.of(topic(Access.CONFIGURE, v)));
        grants(HttpMethod.POST, V + "/topics/{topic}/messages", v -> List.of(topic(Access.WRITE, v)));
        grants(HttpMethod.GET, V + "/topics/{topic}/messages", v -> List.of(topic(Access.READ, v)));
        grants(HttpMethod.GET, V + "/topics/{topic}/partitions/{partition}/messages", v -> List.of(topic(Access.READ, v)));

        vhost(HttpMethod.GET, SUB);
        grants(HttpMethod.PUT, SUB, v -> List.of(sub(Access.CONFIGURE, v), topic(Access.READ, v)));
        grants(HttpMethod.DELETE, SUB, v -> List.of(sub(Access.CONFIGURE, v), topic(Access.READ, v)));
        for (String consume : List.of("/events", "/poll", "/ack", "/nack", "/cursor")) {
            grants(null, SUB + consume, v -> List.of(topic(Access.READ, v), sub(Access.READ, v)));
        }
        grants(HttpMethod.GET, "/ws/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}",
                v -> List.of(topic(Access.READ, v), sub(Access.READ, v)));

        vhost(HttpMethod.GET, V + "/exchanges");
        vhost(HttpMethod.GET, V + "/exchanges/{exchange}");
        grants(HttpMethod.PUT, V + "/exchanges/{exchange}", v -> List.of(exchange(Access.CONFIGURE, v)));
        grants(HttpMethod.DELETE, V + "/exchanges/{exchange}", v -> List.of(exchange(Access.CONFIGURE, v)));
        vhost(HttpMethod.GET, V + "/exchanges/{exchange}/bindings");
        vhost(HttpMethod.GET, V + "/exchanges/{exchange}/bindings/{id}");
        grants(HttpMethod.POST, V + "/exchanges/{exchange}/bindings", v -> List.of(exchange(Access.READ, v)));
        grants(HttpMethod.DELETE, V + "/exchanges/{exchange}/bindings/{id}", v -> List.of(exchange(Access.READ, v)));
        grants(HttpMethod.POST, V + "/exchanges/{exchange}/messages", v -> List.of(exchange(Access.WRITE, v)));
    }

    /**
     * Null when {@code caller} may make this request, else why not (the 403's detail). An
     * administrator passes the administrator-only rows; data in a vhost needs a permission
     * there whatever the tags (RabbitMQ's model: the tag is for management, not for data).
     */
    public String deny(Caller caller, HttpMethod method, String path) {
        PathContainer container = PathContainer.parsePath(path);
        for (Rule rule : rules) {
            if (rule.method() != null && !rule.method().equals(method)) {
                continue;
            }
            PathPattern.PathMatchInfo match;
            try {
                match = rule.pattern().matchAndExtract(container);
            } catch (IllegalArgumentException badEncoding) { // "%zz": the controller would refuse it too
                throw TributaryException.malformed("the path is not valid percent-encoding: " + path);
            }
            if (match != null) {
                return rule.check().apply(new Request(caller, match.getUriVariables()));
            }
        }
        return caller.isAdministrator() ? null : "only administrators may use " + method + " " + path;
    }

    /** One required right on one object, for a caller to pass. */
    public record Grant(Access access, String kind, String name) {
        public String describe() {
            return access.wireName() + " permission on " + kind + " '" + name + "'";
        }
    }

    private record Request(Caller caller, Map<String, String> vars) {
        String vhost() {
            return vars.get("vhost");
        }
    }

    private record Rule(HttpMethod method, PathPattern pattern, Function<Request, String> check) {
    }

    private void add(HttpMethod method, String pattern, Function<Request, String> check) {
        rules.add(new Rule(method, PARSER.parse(pattern), check));
    }

    private void anyone(HttpMethod method, String pattern) {
        add(method, pattern, r -> null);
    }

    private void admin(HttpMethod method, String pattern) {
        add(method, pattern, r -> r.caller().isAdministrator() ? null
                : "user '" + r.caller().user() + "' is not an administrator");
    }

    private void vhost(HttpMethod method, String pattern) {
        add(method, pattern, r -> r.caller().in(r.vhost()) != null ? null : noAccess(r));
    }

    private void grants(HttpMethod method, String pattern, Function<Map<String, String>, List<Grant>> needs) {
        add(method, pattern, r -> {
            if (r.caller().in(r.vhost()) == null) {
                return noAccess(r);
            }
            for (Grant g : needs.apply(r.vars())) {
                if (!r.caller().allows(r.vhost(), g.access(), g.name())) {
                    return "user '" + r.caller().user() + "' has no " + g.describe() + " in vhost '" + r.vhost() + "'";
                }
            }
            return null;
        });
    }

    private String noAccess(Request r) {
        if (r.caller().isAdministrator() && !vhostExists.test(r.vhost())) {
            return null; // the controller answers 404
        }
        return "user '" + r.caller().user() + "' has no permissions in vhost '" + r.vhost() + "'";
    }

    private static Grant topic(Access a, Map<String, String> v) {
        return new Grant(a, "topic", v.get("topic"));
    }

    private static Grant sub(Access a, Map<String, String> v) {
        return new Grant(a, "subscription", v.get("sub"));
    }

    private static Grant exchange(Access a, Map<String, String> v) {
        return new Grant(a, "exchange", v.get("exchange"));
    }
}
