package io.tributary.storage.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The leader's view of its followers, for one partition while it leads it in one epoch: how far
 * each follower's log reaches (the offset of its last fetch: it has everything before) and when
 * it was last caught up with the leader's log end. From that: the high watermark (the smallest
 * log end of the in-sync set, the leader's own included), which followers have fallen out of
 * sync (not caught up for {@code replicaLagMaxMs}: Kafka's {@code replica.lag.time.max.ms}) and
 * which have caught up again. Thread-safe.
 */
public final class ReplicaTracker {
    private record Follower(long logEnd, long lastCaughtUpMs) {
    }

    private final int epoch;
    private final long startedMs;
    /** Where this leader's epoch begins in its log (its log end when it took over). */
    private final long epochStartOffset;
    private final Map<String, Follower> followers = new ConcurrentHashMap<>();
    /** The version of the consumer state (cursors, shared acks) each follower reported it copied. */
    private final Map<String, Long> copiedState = new ConcurrentHashMap<>();
    private final Sinks.Many<Boolean> stateReports = Sinks.many().multicast().directBestEffort();

    public ReplicaTracker(int epoch, long nowMs, long epochStartOffset) {
        this.epoch = epoch;
        this.startedMs = nowMs;
        this.epochStartOffset = epochStartOffset;
    }

    public int epoch() {
        return epoch;
    }

    /** A follower fetched from {@code offset}: its log ends there. */
    public void fetched(String replica, long offset, long leaderLogEnd, long nowMs) {
        followers.compute(replica, (r, old) -> {
            long caughtUp = offset >= leaderLogEnd ? nowMs : old == null ? startedMs : old.lastCaughtUpMs();
            return new Follower(offset, caughtUp);
        });
    }

    /** How far {@code replica}'s log reaches; -1 if it never fetched in this epoch. */
    public long logEndOf(String replica) {
        Follower f = followers.get(replica);
        return f == null ? -1 : f.logEnd();
    }

    /**
     * The high watermark the in-sync set supports: the smallest log end among its members
     * (the leader's is {@code leaderLogEnd}); none (-1) while it has fewer than
     * {@code minInSync} members, or while a member has not fetched yet.
     */
    public long highWatermark(String leader, List<String> isr, long leaderLogEnd, int minInSync) {
        if (isr.size() < minInSync) {
            return -1;
        }
        long hw = leaderLogEnd;
        for (String r : isr) {
            if (r.equals(leader)) {
                continue;
            }
            long end = logEndOf(r);
            if (end < 0) {
                return -1;
            }
            hw = Math.min(hw, end);
        }
        return hw;
    }

    /** In-sync followers that have not caught up with the leader for {@code lagMaxMs}. */
    public List<String> lagging(String leader, List<String> isr, long nowMs, long lagMaxMs) {
        List<String> out = new ArrayList<>();
        for (String r : isr) {
            if (r.equals(leader)) {
                continue;
            }
            Follower f = followers.get(r);
            long since = f == null ? startedMs : f.lastCaughtUpMs();
            if (nowMs - since > lagMaxMs) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Replicas outside the in-sync set whose log reaches both the high watermark and the start
     * of this leader's epoch: they may join it. The high watermark alone is not enough: a new
     * leader's own high watermark can lag what its predecessor acknowledged (it learns the
     * predecessor's from its last fetch), so a follower reaching only that may still miss
     * acknowledged records, and would lose them if it were elected next. Every record of the
     * epochs before this one that this leader holds lies below the epoch's start, so reaching
     * it means holding them (Kafka's ISR rule since KAFKA-7128). Found by
     * ReplicationLogPropertyTest.
     */
    public List<String> caughtUp(List<String> replicas, List<String> isr, long highWatermark) {
        long needed = Math.max(highWatermark, epochStartOffset);
        List<String> out = new ArrayList<>();
        for (String r : replicas) {
            if (!isr.contains(r) && logEndOf(r) >= needed && logEndOf(r) >= 0) {
                out.add(r);
            }
        }
        return out;
    }

    /** A follower reports it copied the leader's consumer state as of {@code version} (its fetch says so). */
    public void copiedConsumerState(String replica, long version) {
        Long before = copiedState.put(replica, version);
        if (before == null || before != version) {
            synchronized (stateReports) {
                stateReports.tryEmitNext(true);
            }
        }
    }

    /**
     * Completes with true once every in-sync follower has copied the consumer state as of
     * {@code version} (an ack is then as safe as the messages: a new leader has it), false
     * when {@code wait} passes first.
     */
    public Mono<Boolean> awaitConsumerStateCopied(String leader, List<String> isr, long version, Duration wait) {
        return Flux.merge(stateReports.asFlux(), Mono.just(true))
                .filter(x -> copiedBy(leader, isr, version))
                .next()
                .timeout(wait, Mono.just(false));
    }

    private boolean copiedBy(String leader, List<String> isr, long version) {
        for (String r : isr) {
            if (!r.equals(leader) && copiedState.getOrDefault(r, -1L) < version) {
                return false;
            }
        }
        return true;
    }
}
