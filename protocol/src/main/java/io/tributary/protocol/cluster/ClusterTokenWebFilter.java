package io.tributary.protocol.cluster;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/** Refuses {@code /internal/**} requests that do not carry the cluster token. */
public class ClusterTokenWebFilter implements WebFilter, Ordered {
    private final ClusterToken token;

    public ClusterTokenWebFilter(ClusterToken token) {
        this.token = token;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (path.startsWith("/internal/") || path.equals("/internal")) {
            String presented = exchange.getRequest().getHeaders().getFirst(ClusterToken.HEADER);
            if (!token.matches(presented)) {
                return Mono.error(new TributaryException(ProblemType.UNAUTHORIZED,
                        "internal endpoints need the cluster token in " + ClusterToken.HEADER));
            }
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
