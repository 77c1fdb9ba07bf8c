package io.tributary.protocol.admin;

/** The body of an exchange declaration: its type (direct, fanout, topic, headers) and an optional alternate exchange. */
public record ExchangeSpec(String type, String alternateExchange) {
}
