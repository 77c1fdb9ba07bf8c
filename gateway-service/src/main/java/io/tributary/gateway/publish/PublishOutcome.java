package io.tributary.gateway.publish;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.PublishResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a client is told when not every message of a publish was confirmed (a partition's
 * leader was unreachable): never a bare 503 that leaves it guessing.
 * <ul>
 *   <li>Every message confirmed: the results, 200.</li>
 *   <li>None confirmed: the first failure as it is (say 503 {@code unavailable}); nothing
 *       is known to be stored.</li>
 *   <li>Some confirmed: 503 {@code partially-stored} with {@code Retry-After} and the
 *       {@code results} in request order, each either where the message was stored or the
 *       {@code error} that kept it from being confirmed. Retrying the same request with its
 *       Idempotency-Key (or with message ids) completes it exactly once.</li>
 * </ul>
 */
final class PublishOutcome {
    private PublishOutcome() {
    }

    /** Checks the flattened results of one publish; {@code answer} is the body the client would have got. */
    static void check(List<PublishResult> all, Object answer) {
        PublishResult failed = all.stream().filter(PublishResult::failed).findFirst().orElse(null);
        if (failed == null) {
            return;
        }
        boolean someStored = all.stream().anyMatch(r -> !r.failed());
        PublishResult.PublishError e = failed.error();
        if (!someStored) {
            ProblemType type = ProblemType.fromSlug(e.type(), e.status());
            throw new TributaryException(type, e.detail(), type.status() >= 500 ? Duration.ofSeconds(1) : null, null);
        }
        long failures = all.stream().filter(PublishResult::failed).count();
        throw new TributaryException(ProblemType.PARTIALLY_STORED, failures + " of " + all.size()
                + " messages were not confirmed (" + e.detail() + "); the others were stored. Retry the same request with "
                + "the same Idempotency-Key (or message ids) to store the rest exactly once", Duration.ofSeconds(1), null,
                Map.of("results", answer));
    }
}
