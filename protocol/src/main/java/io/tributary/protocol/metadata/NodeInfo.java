package io.tributary.protocol.metadata;

/** A live storage node: its stable id and the base URL of its internal API. */
public record NodeInfo(String id, String url) {
}
