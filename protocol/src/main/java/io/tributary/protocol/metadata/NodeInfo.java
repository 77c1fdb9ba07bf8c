package io.tributary.protocol.metadata;

/**
 * A live storage node: its stable id, the base URL of its internal API, and which run of the
 * process this is. {@code incarnation} (the process's start time, ms) changes with every
 * restart; {@code cleanStart} says whether the run before it shut down cleanly (every log
 * flushed and closed). The controller takes a node that restarted after a crash out of every
 * in-sync set it is in (KIP-966): it may have lost the tail its page cache held, so it must
 * catch up from a leader before it may lead or count towards acks=all again.
 *
 * @param incarnation null from a node that does not say (it is then treated as unchanged)
 * @param cleanStart null or true unless the node knows its previous run crashed
 */
public record NodeInfo(String id, String url, Long incarnation, Boolean cleanStart) {

    public NodeInfo(String id, String url) {
        this(id, url, null, null);
    }

    /** True if this run followed a crash (kill -9, power loss, OOM) of the previous one. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean restartedUnclean() {
        return Boolean.FALSE.equals(cleanStart);
    }
}
