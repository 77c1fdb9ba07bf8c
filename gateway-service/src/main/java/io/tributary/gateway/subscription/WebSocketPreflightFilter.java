package io.tributary.gateway.subscription;

import io.tributary.gateway.cluster.MetadataLookup;
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
 * rather than with a socket that opens and closes. (Its Origin is checked before, by the
 * gateway's {@code auth.OriginPolicy}.)
 */
@Component
public class WebSocketPreflightFilter implements WebFilter {
    private final MetadataLookup lookup;

    public WebSocketPreflightFilter(MetadataLookup lookup) {
        this.lookup = lookup;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.startsWith("/ws/")) {
            return chain.filter(exchange);
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
