package io.tributary.protocol.metadata;

import java.util.List;

/**
 * A member's view of its group after a heartbeat: the generation (bumped whenever the member
 * set changes), every member, and the partitions this member owns in this generation.
 */
public record GroupState(long generation, List<String> members, List<Integer> partitions) {
}
