package io.tributary.gateway.subscription;

import io.tributary.gateway.auth.SecurityProperties;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Checks a WebSocket consumer's URL before the upgrade, so a wrong name or a missing
 * subscription is refused with a plain HTTP problem+json (400/404) that any client can read,
 * rather than with a socket that opens and closes. A browser's upgrade carries its page's
 * {@code Origin}: one outside {@code tributary.security.allowed-origins} is refused (403), so
 * a page elsewhere cannot ride a user's access_token into a session (cross-site WebSocket
 * hijacking). Clients that are not browsers send no Origin and are not affected.
 */
@Component
public class WebSocketPreflightFilter implements WebFilter {
    private final MetadataLookup lookup;
    private final SecurityProperties security;

    public WebSocketPreflightFilter(MetadataLookup lookup, SecurityProperties security) {
        this.lookup = lookup;
        this.security = security;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.startsWith("/ws/")) {
            return chain.filter(exchange);
        }
        String origin = exchange.getRequest().getHeaders().getOrigin();
        if (origin != null && !security.allowedOrigins().contains(origin)) {
            return Mono.error(new TributaryException(ProblemType.FORBIDDEN, "WebSocket upgrades from origin '" + origin
                    + "' are not allowed (tributary.security.allowed-origins)"));
        }
        SubscriptionPath sp;
        try {
            sp = SubscriptionPath.parse(path);
            Names.require("vhost", sp.vhost());
            Names.require("topic", sp.topic());
            Names.require("subscription", sp.sub());
            ClientFrame.initialCredit(exchange.getRequest().getQueryParams().getFirst("credit"), 0);
        } catch (TributaryException e) {
            return Mono.error(e);
        }
        return lookup.subscription(sp.vhost(), sp.topic(), sp.sub()).then(chain.filter(exchange));
    }
}
