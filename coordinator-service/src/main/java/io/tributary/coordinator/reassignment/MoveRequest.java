package io.tributary.coordinator.reassignment;

import java.util.List;

/**
 * The body of {@code POST /api/v1/cluster/reassignments}:
 * {@code {"partitions":[{"vhost","topic","partition","replicas":[...]}], "copyBytesPerSecond": n}}.
 * {@code replicas} is the target replica list, its first the preferred leader;
 * {@code copyBytesPerSecond} caps each new replica's copy rate while it catches up (absent: the
 * controller's default, {@code tributary.coordinator.reassignment.copy-bytes-per-second}; 0: no cap).
 */
public record MoveRequest(List<Target> partitions, Long copyBytesPerSecond) {
    /** One partition's target replicas. */
    public record Target(String vhost, String topic, Integer partition, List<String> replicas) {
        public String key() {
            return vhost + "/" + topic + "/" + partition;
        }
    }
}
