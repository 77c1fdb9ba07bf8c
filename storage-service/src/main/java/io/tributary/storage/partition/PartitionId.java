package io.tributary.storage.partition;

import java.nio.file.Path;

/**
 * Identifies a partition on this node. {@code topicId} is unique per topic creation, so the
 * directory {@code <data>/<vhost>/<topic>~<topicId>/<partition>} of a deleted topic is never
 * mistaken for a new topic of the same name ('~' cannot occur in names).
 */
public record PartitionId(String vhost, String topic, String topicId, int partition) {
    public Path directory(Path dataDir) {
        return topicDirectory(dataDir).resolve(Integer.toString(partition));
    }

    public Path topicDirectory(Path dataDir) {
        return dataDir.resolve(vhost).resolve(topic + "~" + topicId);
    }

    @Override
    public String toString() {
        return vhost + "/" + topic + "/" + partition;
    }
}
