package io.tributary.protocol.publish;

import java.util.List;

/** Answer to a publish to a topic: one result per message, in request order. */
public record PublishResponse(List<PublishResult> results) {
}
