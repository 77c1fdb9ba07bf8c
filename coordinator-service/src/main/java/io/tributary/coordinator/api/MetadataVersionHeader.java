package io.tributary.coordinator.api;

/**
 * Header on every metadata-changing answer: the version that holds the change. The gateway
 * waits until its own copy reaches it, so a client that creates a topic can publish to it
 * with its very next request.
 */
public final class MetadataVersionHeader {
    public static final String NAME = "X-Metadata-Version";

    private MetadataVersionHeader() {
    }
}
