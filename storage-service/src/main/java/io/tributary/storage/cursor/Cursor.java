package io.tributary.storage.cursor;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;

/**
 * A subscription's committed position on one partition (the next offset it reads) and the
 * consumer-group generation of the last commit that moved it.
 *
 * <p>The rules of a commit, so that neither a retried nor a revoked consumer can harm it:
 * <ul>
 *   <li>A commit from a generation older than the stored one is refused ({@code fenced}): the
 *       partition was reassigned and the new owner has committed since.</li>
 *   <li>A cursor never moves backwards through a commit: a commit below the position keeps
 *       the position (a late or repeated commit is harmless), though it may raise the generation.
 *       Only a seek moves it anywhere.</li>
 *   <li>{@link #UNFENCED} commits (an HTTP ack, which belongs to no group session) only move forward.</li>
 * </ul>
 */
public record Cursor(long offset, long generation) {
    public static final long UNFENCED = -1;

    /** The cursor after committing {@code newOffset} in {@code commitGeneration}. */
    public Cursor commit(long newOffset, long commitGeneration) {
        if (commitGeneration != UNFENCED && commitGeneration < generation) {
            throw new TributaryException(ProblemType.FENCED, "commit from group generation " + commitGeneration
                    + " refused: generation " + generation + " has committed this partition since", null, null);
        }
        long g = Math.max(generation, commitGeneration);
        return new Cursor(Math.max(offset, newOffset), g);
    }

    /** The first commit of a subscription on this partition. */
    public static Cursor first(long offset, long generation) {
        return new Cursor(offset, Math.max(UNFENCED, generation));
    }
}
