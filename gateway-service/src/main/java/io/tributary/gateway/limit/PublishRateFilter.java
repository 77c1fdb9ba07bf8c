package io.tributary.gateway.limit;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Per-vhost publish rates ({@link VhostLimits}): a publish to a topic or through an exchange
 * takes one request token and its declared body length in byte tokens from the vhost's
 * buckets before its body is read; without tokens it is answered {@code 429 rate-limited}
 * with {@code Retry-After}, and nothing is read or stored. A chunked body (no declared
 * length) is charged as it arrives. Each vhost has its own buckets, so a flood on one does
 * not use another's budget.
 *
 * <p>Ordered after authentication (Spring Security's chain, order -100): an anonymous flood is
 * refused by the 401 and cannot spend a tenant's budget; it is bounded by the per-address
 * connection limit instead. If Redis cannot be asked, the publish goes ahead (the limit is a
 * fairness tool, not a safety one) and the failure is logged.
 */
@Component
@Order(-50)
public class PublishRateFilter implements WebFilter {
    private static final Logger log = LoggerFactory.getLogger(PublishRateFilter.class);
    private static final List<PathPattern> PUBLISH = List.of(
            PathPatternParser.defaultInstance.parse("/api/v1/vhosts/{vhost}/topics/{topic}/messages"),
            PathPatternParser.defaultInstance.parse("/api/v1/vhosts/{vhost}/exchanges/{exchange}/messages"));
    private final VhostLimitStore limits;
    private final TokenBuckets buckets;

    public PublishRateFilter(VhostLimitStore limits, TokenBuckets buckets) {
        this.limits = limits;
        this.buckets = buckets;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String vhost = publishVhost(exchange.getRequest());
        if (vhost == null) {
            return chain.filter(exchange);
        }
        return limits.limits(vhost)
                .onErrorResume(e -> {
                    log.warn("Publish limits of vhost {} unknown (Redis: {}): not limited", vhost, e.toString());
                    return Mono.just(VhostLimits.NONE);
                })
                .flatMap(l -> l.any() ? admit(exchange, chain, vhost, l) : chain.filter(exchange));
    }

    private Mono<Void> admit(ServerWebExchange exchange, WebFilterChain chain, String vhost, VhostLimits l) {
        long declared = exchange.getRequest().getHeaders().getContentLength();
        return buckets.take(vhost, l, Math.max(0, declared))
                .onErrorResume(e -> {
                    log.warn("Publish rate of vhost {} not checked (Redis: {}): let through", vhost, e.toString());
                    return Mono.just(0L);
                })
                .flatMap(waitMicros -> {
                    if (waitMicros > 0) {
                        return Mono.error(new TributaryException(ProblemType.RATE_LIMITED, "vhost '" + vhost
                                + "' is over its publish rate (" + describe(l) + ")", Duration.ofNanos(waitMicros * 1000), null));
                    }
                    return chain.filter(declared >= 0 ? exchange : charged(exchange, vhost, l));
                });
    }

    /** The exchange with a body that charges its bytes to the vhost as they are read. */
    private ServerWebExchange charged(ServerWebExchange exchange, String vhost, VhostLimits l) {
        AtomicLong read = new AtomicLong();
        ServerHttpRequest request = new ServerHttpRequestDecorator(exchange.getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                return super.getBody().doOnNext(b -> read.addAndGet(b.readableByteCount()))
                        .doOnTerminate(() -> buckets.charge(vhost, l, read.get()).subscribe(null,
                                e -> log.warn("Publish bytes of vhost {} not charged: {}", vhost, e.toString())));
            }
        };
        return exchange.mutate().request(request).build();
    }

    private static String describe(VhostLimits l) {
        StringBuilder s = new StringBuilder();
        if (l.publishRequestsPerSecond() != null) {
            s.append(l.publishRequestsPerSecond()).append(" requests/s");
        }
        if (l.publishBytesPerSecond() != null) {
            s.append(s.length() > 0 ? ", " : "").append(l.publishBytesPerSecond()).append(" bytes/s");
        }
        return s.toString();
    }

    private static String publishVhost(ServerHttpRequest request) {
        if (request.getMethod() != HttpMethod.POST) {
            return null;
        }
        PathContainer path = request.getPath().pathWithinApplication();
        for (PathPattern p : PUBLISH) {
            try {
                PathPattern.PathMatchInfo m = p.matchAndExtract(path);
                if (m != null) {
                    return m.getUriVariables().get("vhost");
                }
            } catch (IllegalArgumentException badEncoding) {
                return null; // refused elsewhere
            }
        }
        return null;
    }
}
