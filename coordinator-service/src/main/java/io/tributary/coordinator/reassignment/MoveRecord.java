package io.tributary.coordinator.reassignment;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * One partition move as the controller records it (Redis hash {@code reassignments}, JSON per
 * move, written in the same fenced write as the placement change it describes). The move's
 * live state is the partition's own placement ({@code adding}/{@code removing}); this record is
 * its history: where it came from and went, when, and how it ended.
 *
 * @param state {@code copying} (in progress), {@code completed} or {@code rolled-back}
 * @param reason why it was rolled back (null otherwise)
 * @param cause what asked for it: {@code request}, {@code drain <node>} or {@code rebalance}
 */
public record MoveRecord(String id, String vhost, String topic, int partition, List<String> from, List<String> to, String state,
        String reason, String cause, long copyBytesPerSecond, long startedAt, Long finishedAt) {
    public static final String COPYING = "copying";
    public static final String COMPLETED = "completed";
    public static final String ROLLED_BACK = "rolled-back";

    public static MoveRecord started(String vhost, String topic, int partition, List<String> from, List<String> to, String cause,
            long copyRate, long now) {
        return new MoveRecord(vhost + "/" + topic + "/" + partition + "@" + now, vhost, topic, partition, from, to, COPYING, null,
                cause, copyRate, now, null);
    }

    @JsonIgnore
    public boolean inProgress() {
        return COPYING.equals(state);
    }

    @JsonIgnore
    public String partitionKey() {
        return vhost + "/" + topic + "/" + partition;
    }

    public MoveRecord finished(String endState, String why, long now) {
        return new MoveRecord(id, vhost, topic, partition, from, to, endState, why, cause, copyBytesPerSecond, startedAt, now);
    }
}
