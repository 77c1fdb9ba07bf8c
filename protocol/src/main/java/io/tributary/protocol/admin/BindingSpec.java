package io.tributary.protocol.admin;

import java.util.Map;

/**
 * The body of a binding declaration.
 *
 * @param destination a topic, or an exchange when {@code destinationType} is {@code exchange}
 * @param destinationType {@code topic} (default) or {@code exchange}
 * @param routingKey the key (direct) or pattern (topic exchange); not used by fanout and headers
 * @param arguments headers-exchange arguments: {@code x-match} (all, any, all-with-x, any-with-x)
 *     and the header values to match (null: the header only has to be present)
 */
public record BindingSpec(String destination, String destinationType, String routingKey, Map<String, String> arguments) {
}
