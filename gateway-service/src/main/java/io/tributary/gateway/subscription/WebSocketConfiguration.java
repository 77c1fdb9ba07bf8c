package io.tributary.gateway.subscription;

import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;

/** Maps the consumer WebSocket endpoint. */
@Configuration(proxyBeanMethods = false)
public class WebSocketConfiguration {
    @Bean
    HandlerMapping webSocketMapping(WebSocketConsumerHandler handler) {
        return new SimpleUrlHandlerMapping(Map.of(SubscriptionPath.PATTERN, handler), Ordered.HIGHEST_PRECEDENCE);
    }
}
