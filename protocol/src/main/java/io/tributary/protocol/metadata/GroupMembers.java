package io.tributary.protocol.metadata;

import java.util.List;

/**
 * A consumer group as an observer sees it: the current generation and, per live member, the
 * generation whose assignment that member last reported acting on. While some member lags
 * the current generation the group is rebalancing: partitions may still be read by their
 * previous owner, or by nobody yet.
 */
public record GroupMembers(long generation, List<Member> members) {

    /** A live member and the generation it acts on ({@code -1} until its first report). */
    public record Member(String id, long appliedGeneration) {
    }

    public List<String> ids() {
        return members.stream().map(Member::id).toList();
    }

    /** Whether some member has not yet acted on the current generation's assignment. */
    public boolean rebalancing() {
        return members.stream().anyMatch(m -> m.appliedGeneration() < generation);
    }
}
