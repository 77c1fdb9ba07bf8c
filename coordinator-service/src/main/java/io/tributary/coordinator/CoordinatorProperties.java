package io.tributary.coordinator;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code tributary.coordinator.*}: see application.yml for what each one means. */
@ConfigurationProperties("tributary.coordinator")
public record CoordinatorProperties(
        String id,
        Duration leaseTtl,
        Duration nodePollInterval,
        Duration memberSessionTimeout,
        int maxPartitionsPerTopic,
        Reassignment reassignment) {

    /**
     * {@code tributary.coordinator.reassignment.*}: partition moves.
     *
     * @param copyBytesPerSecond the default cap on each new replica's copy rate while it is out of sync (0: none)
     * @param abandonAfter a move whose new replica's node has not been live for this long rolls back
     * @param history how many finished moves {@code GET /api/v1/cluster/reassignments} keeps
     */
    public record Reassignment(org.springframework.util.unit.DataSize copyBytesPerSecond, Duration abandonAfter, int history) {
    }
}
