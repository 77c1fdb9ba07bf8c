package io.tributary.protocol.metadata;

import java.util.List;

/**
 * A consumer group as an observer sees it: the current generation and, per live member, the
 * generation whose assignment that member last reported acting on. While some member lags
 * the current generation the group is rebalancing: partitions may still be read by their
 * previous owner, or by nobody yet.
 */
public record GroupMembers(long generation, List<Member> members) {

    /**
     * A live member, the generation it acts on ({@code -1} until its first report) and when it
     * joined (epoch ms).
     */
    public record Member(String id, long appliedGeneration, long joinedAt) {
    }

    /** The member that receives in a single-active-consumer subscription: the first to join (ties by id); null when none. */
    public String active() {
        return members.stream().min(java.util.Comparator.comparingLong(Member::joinedAt).thenComparing(Member::id))
                .map(Member::id).orElse(null);
    }

    public List<String> ids() {
        return members.stream().map(Member::id).toList();
    }

    /** Whether some member has not yet acted on the current generation's assignment. */
    public boolean rebalancing() {
        return members.stream().anyMatch(m -> m.appliedGeneration() < generation);
    }
}
