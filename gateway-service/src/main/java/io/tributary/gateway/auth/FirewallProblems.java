package io.tributary.gateway.auth;

import io.tributary.protocol.problem.TributaryException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.security.web.server.WebFilterChainProxy;
import reactor.core.publisher.Mono;

/**
 * Spring Security's request firewall refuses paths that could mean one thing to a rule and
 * another to a handler (encoded slashes and dots, {@code ..}, {@code //}, matrix parameters
 * {@code ;}, control characters) before anything looks at them. We keep it, and make its
 * refusal a 400 {@code malformed-request} problem like any other bad input instead of its
 * empty 400.
 */
final class FirewallProblems implements BeanPostProcessor {
    @Override
    public Object postProcessAfterInitialization(Object bean, String name) {
        if (bean instanceof WebFilterChainProxy proxy) {
            proxy.setExchangeRejectedHandler((exchange, e) -> Mono.error(TributaryException.malformed(
                    "the request was refused by the gateway's firewall: " + e.getMessage())));
        }
        return bean;
    }
}
