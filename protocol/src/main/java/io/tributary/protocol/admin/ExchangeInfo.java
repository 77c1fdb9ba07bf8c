package io.tributary.protocol.admin;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A declared exchange.
 *
 * @param alternateExchange where messages go that no binding of this exchange routes; null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExchangeInfo(String vhost, String name, String type, String alternateExchange, long createdAt) {
    @JsonIgnore
    public String key() {
        return key(vhost, name);
    }

    public static String key(String vhost, String name) {
        return vhost + "/" + name;
    }
}
