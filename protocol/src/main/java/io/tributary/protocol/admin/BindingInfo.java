package io.tributary.protocol.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A binding from exchange {@code source} to a topic or an exchange. Its id is derived from
 * its content, so declaring the same binding twice gives the same binding (RabbitMQ's rule).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BindingInfo(
        String id,
        String vhost,
        String source,
        String destination,
        String destinationType,
        String routingKey,
        Map<String, String> arguments) {

    public static final String TOPIC = "topic";
    public static final String EXCHANGE = "exchange";

    public boolean toExchange() {
        return EXCHANGE.equals(destinationType);
    }
}
