package io.tributary.gateway.auth;

import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * One line per refused request, on the logger {@code tributary.audit} (route it to its own
 * file with logging.* settings): who (user and key id, or "anonymous"), what (method and
 * path, never the query, which may carry an access_token), from where (client address), and
 * why. Never the credential itself.
 */
@Component
public class AuditLog {
    private static final Logger audit = LoggerFactory.getLogger("tributary.audit");

    public void authenticationFailed(ServerWebExchange exchange, String reason) {
        audit.warn("authentication-failed user=anonymous method={} path={} client={} reason=\"{}\"", method(exchange),
                path(exchange), client(exchange), reason);
    }

    public void denied(ServerWebExchange exchange, Caller caller, String reason) {
        audit.warn("denied user={} credential={} method={} path={} client={} reason=\"{}\"", caller.user(), caller.credential(),
                method(exchange), path(exchange), client(exchange), reason);
    }

    public void sessionEnded(String user, String credential, String path, String reason) {
        audit.warn("session-ended user={} credential={} path={} reason=\"{}\"", user, credential, path, reason);
    }

    private static String method(ServerWebExchange exchange) {
        return exchange.getRequest().getMethod().name();
    }

    private static String path(ServerWebExchange exchange) {
        return exchange.getRequest().getPath().value();
    }

    private static String client(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote == null ? "?" : remote.getAddress().getHostAddress();
    }
}
