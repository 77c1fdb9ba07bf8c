package io.tributary.coordinator.group;

import io.tributary.protocol.metadata.GroupMembers;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a topic's partitions among the members of a consumer group, round-robin over the
 * members in sorted order: partition {@code p} goes to member {@code p mod n}. Every member
 * computes nothing itself; the coordinator answers each heartbeat with that member's share,
 * so all members agree as long as they see the same member list.
 */
public final class PartitionAssignor {
    private PartitionAssignor() {
    }

    /**
     * Single active consumer: every partition to the member that joined first, none to the
     * others, which wait to take over when it leaves.
     */
    public static List<Integer> assignToActive(GroupMembers group, String member, int partitions) {
        List<Integer> mine = new ArrayList<>();
        if (member.equals(group.active())) {
            for (int p = 0; p < partitions; p++) {
                mine.add(p);
            }
        }
        return mine;
    }

    /** The partitions of {@code member} among {@code sortedMembers}; empty if it is not a member. */
    public static List<Integer> assign(List<String> sortedMembers, String member, int partitions) {
        int index = sortedMembers.indexOf(member);
        List<Integer> mine = new ArrayList<>();
        if (index < 0) {
            return mine;
        }
        for (int p = index; p < partitions; p += sortedMembers.size()) {
            mine.add(p);
        }
        return mine;
    }
}
