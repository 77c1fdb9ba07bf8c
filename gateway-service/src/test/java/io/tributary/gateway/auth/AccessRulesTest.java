package io.tributary.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.auth.Permission.Access;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

/**
 * {@link AccessRules} against a reference model written the plain way: split the path at
 * '/', look at the segments, decide. Random callers (random tags, random patterns in random
 * vhosts) make random requests over every endpoint of the API; both must agree on each.
 */
class AccessRulesTest {
    private static final AccessRules RULES = new AccessRules();
    private static final List<String> NAMES = List.of("orders", "orders-eu", "audit", "a.b", "x");
    private static final List<String> PATTERNS = List.of("", ".*", "orders", "orders.*", "a.b", "audit|x", "o.*s");
    private static final List<String> VHOSTS = List.of("default", "tenant-a");

    record Request(HttpMethod method, String path) {
    }

    @Property(tries = 3000)
    void theTableAgreesWithTheModel(@ForAll("callers") Caller caller, @ForAll("requests") Request r) {
        boolean allowed = RULES.deny(caller, r.method(), r.path()) == null;
        assertThat(allowed).as("%s %s by %s", r.method(), r.path(), caller).isEqualTo(model(caller, r.method(), r.path()));
    }

    /** The reference: what the README's table says, read segment by segment. */
    static boolean model(Caller c, HttpMethod m, String path) {
        String[] s = path.substring(1).split("/", -1);
        boolean admin = c.tags().contains("administrator");
        if (path.equals("/api/v1/whoami") || (path.equals("/api/v1/vhosts") && m == HttpMethod.GET)) {
            return true;
        }
        if (s[0].equals("ws")) { // ws v1 vhosts V topics T subscriptions S
            return m == HttpMethod.GET ? can(c, s[3], Access.READ, s[5]) && can(c, s[3], Access.READ, s[7]) : admin;
        }
        if (s.length >= 3 && (s[2].equals("users") || s[2].equals("cluster"))) {
            return admin;
        }
        if (s.length == 3) { // /api/v1/vhosts other than GET
            return admin;
        }
        // api v1 vhosts V ...
        String v = s[3];
        if (s.length == 4 || s[4].equals("permissions") || s[4].equals("limits")) {
            return admin;
        }
        boolean member = c.permissions().containsKey(v);
        String kind = s[4];
        if (s.length == 5) {
            return m == HttpMethod.GET ? member : admin;
        }
        String name = s[5];
        if (kind.equals("topics")) {
            if (s.length == 6) {
                return switch (m.name()) {
                    case "GET" -> member;
                    case "PUT", "DELETE" -> can(c, v, Access.CONFIGURE, name);
                    default -> admin;
                };
            }
            if (s[6].equals("messages") || s[6].equals("partitions")) {
                if (m == HttpMethod.POST && s[6].equals("messages")) {
                    return can(c, v, Access.WRITE, name);
                }
                return m == HttpMethod.GET ? can(c, v, Access.READ, name) : admin;
            }
            String sub = s[7];
            if (s.length == 8) {
                return switch (m.name()) {
                    case "GET" -> member;
                    case "PUT", "DELETE" -> can(c, v, Access.CONFIGURE, sub) && can(c, v, Access.READ, name);
                    default -> admin;
                };
            }
            return can(c, v, Access.READ, name) && can(c, v, Access.READ, sub);
        }
        // exchanges
        if (s.length == 6) {
            return switch (m.name()) {
                case "GET" -> member;
                case "PUT", "DELETE" -> can(c, v, Access.CONFIGURE, name);
                default -> admin;
            };
        }
        if (s[6].equals("messages")) {
            return m == HttpMethod.POST ? can(c, v, Access.WRITE, name) : admin;
        }
        // bindings
        if (m == HttpMethod.GET) {
            return member;
        }
        boolean post = m == HttpMethod.POST && s.length == 7;
        boolean delete = m == HttpMethod.DELETE && s.length == 8;
        return post || delete ? can(c, v, Access.READ, name) : admin;
    }

    private static boolean can(Caller c, String vhost, Access a, String name) {
        Permission p = c.permissions().get(vhost);
        if (p == null) {
            return false;
        }
        String regex = switch (a) {
            case CONFIGURE -> p.configure();
            case WRITE -> p.write();
            case READ -> p.read();
        };
        return !regex.isEmpty() && name.matches(regex);
    }

    @Provide
    Arbitrary<Caller> callers() {
        Arbitrary<Permission> perm = Combinators.combine(Arbitraries.of(PATTERNS), Arbitraries.of(PATTERNS), Arbitraries.of(PATTERNS))
                .as(Permission::of);
        Arbitrary<Map<String, Permission>> perms = Arbitraries.maps(Arbitraries.of(VHOSTS), perm).ofMaxSize(2);
        Arbitrary<List<String>> tags = Arbitraries.of(List.of(), List.of("administrator"));
        return Combinators.combine(tags, perms).as((t, p) -> new Caller("u", t, p, "k", null));
    }

    @Provide
    Arbitrary<Request> requests() {
        Arbitrary<HttpMethod> method = Arbitraries.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.POST, HttpMethod.DELETE);
        Arbitrary<String> vhost = Arbitraries.of(VHOSTS);
        Arbitrary<String> name = Arbitraries.of(NAMES);
        List<String> templates = List.of("/api/v1/whoami", "/api/v1/vhosts", "/api/v1/vhosts/V", "/api/v1/vhosts/V/permissions",
                "/api/v1/vhosts/V/permissions/N", "/api/v1/vhosts/V/limits", "/api/v1/users", "/api/v1/users/N", "/api/v1/users/N/api-keys",
                "/api/v1/cluster", "/api/v1/cluster/reassignments", "/api/v1/vhosts/V/topics", "/api/v1/vhosts/V/topics/N",
                "/api/v1/vhosts/V/topics/N/messages", "/api/v1/vhosts/V/topics/N/partitions/0/messages",
                "/api/v1/vhosts/V/topics/N/subscriptions/M", "/api/v1/vhosts/V/topics/N/subscriptions/M/events",
                "/api/v1/vhosts/V/topics/N/subscriptions/M/poll", "/api/v1/vhosts/V/topics/N/subscriptions/M/ack",
                "/api/v1/vhosts/V/topics/N/subscriptions/M/nack", "/api/v1/vhosts/V/topics/N/subscriptions/M/cursor",
                "/api/v1/vhosts/V/exchanges", "/api/v1/vhosts/V/exchanges/N", "/api/v1/vhosts/V/exchanges/N/bindings",
                "/api/v1/vhosts/V/exchanges/N/bindings/b1", "/api/v1/vhosts/V/exchanges/N/messages",
                "/ws/v1/vhosts/V/topics/N/subscriptions/M");
        return Combinators.combine(method, Arbitraries.of(templates), vhost, name, name)
                .as((m, t, v, n1, n2) -> new Request(m, t.replace("V", v).replace("/N", "/" + n1).replace("/M", "/" + n2)));
    }

    @Test
    void anEndpointNotInTheTableIsForAdministratorsOnly() {
        Caller everything = new Caller("u", List.of(), Map.of("default", Permission.all()), "k", null);
        Caller admin = new Caller("a", List.of("administrator"), Map.of(), "k", null);
        for (String path : List.of("/api/v2/anything", "/api/v1/vhosts/default/topics/orders/compact", "/actuator/env")) {
            assertThat(RULES.deny(everything, HttpMethod.GET, path)).contains("only administrators");
            assertThat(RULES.deny(admin, HttpMethod.GET, path)).isNull();
        }
    }

    @Test
    void theTagGrantsManagementNotData() {
        Caller admin = new Caller("a", List.of("administrator"), Map.of(), "k", null);
        assertThat(RULES.deny(admin, HttpMethod.PUT, "/api/v1/users/bob")).isNull();
        assertThat(RULES.deny(admin, HttpMethod.POST, "/api/v1/vhosts/default/topics/orders/messages"))
                .isEqualTo("user 'a' has no permissions in vhost 'default'");
    }

    @Test
    void aPatternMustMatchTheWholeName() {
        Caller c = new Caller("u", List.of(), Map.of("default", Permission.of("", "orders", "")), "k", null);
        assertThat(RULES.deny(c, HttpMethod.POST, "/api/v1/vhosts/default/topics/orders/messages")).isNull();
        assertThat(RULES.deny(c, HttpMethod.POST, "/api/v1/vhosts/default/topics/orders-archive/messages"))
                .contains("no write permission on topic 'orders-archive'");
        assertThat(RULES.deny(c, HttpMethod.POST, "/api/v1/vhosts/default/topics/my-orders/messages")).isNotNull();
    }

    @Test
    void percentEncodedNamesAreCheckedDecoded() {
        Caller c = new Caller("u", List.of(), Map.of("default", Permission.of("", "a\\.b", "")), "k", null);
        assertThat(RULES.deny(c, HttpMethod.POST, "/api/v1/vhosts/default/topics/a%2Eb/messages")).isNull();
        assertThat(RULES.deny(c, HttpMethod.POST, "/api/v1/vhosts/default/topics/a%2Fb/messages")).contains("'a/b'");
    }
}
