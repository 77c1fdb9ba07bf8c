package io.tributary.routing.partition;

import io.tributary.protocol.problem.TributaryException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the partition of each message: the explicit partition if it names one; else murmur2
 * of the key (Kafka-compatible); else murmur2 of the message id, so that a retried publish
 * lands on the partition that can recognize it (idempotent publish works per partition);
 * else a "sticky" partition shared by all keyless messages of one publish request, moving
 * round-robin from request to request so keyless traffic spreads evenly while each request
 * still becomes as few batches as possible.
 */
public final class PartitionChooser {
    private final Map<String, AtomicInteger> stickyCounters = new ConcurrentHashMap<>();

    /** A chooser for one publish request to one topic. */
    public Request forRequest(String topicKey, int partitions) {
        return new Request(partitions, () -> Math.floorMod(
                stickyCounters.computeIfAbsent(topicKey, k -> new AtomicInteger()).getAndIncrement(), partitions));
    }

    /** Partition choice within one request; the sticky partition is drawn on first need. */
    public static final class Request {
        private final int partitions;
        private final java.util.function.IntSupplier nextSticky;
        private int sticky = -1;

        Request(int partitions, java.util.function.IntSupplier nextSticky) {
            this.partitions = partitions;
            this.nextSticky = nextSticky;
        }

        public int choose(int explicitPartition, byte[] key) {
            return choose(explicitPartition, key, null);
        }

        public int choose(int explicitPartition, byte[] key, String id) {
            if (explicitPartition >= 0) {
                if (explicitPartition >= partitions) {
                    throw TributaryException.notFound("partition " + explicitPartition + " does not exist: the topic has "
                            + partitions + " partitions");
                }
                return explicitPartition;
            }
            if (key != null) {
                return Murmur2.partition(key, partitions);
            }
            if (id != null) {
                return Murmur2.partition(id.getBytes(java.nio.charset.StandardCharsets.UTF_8), partitions);
            }
            if (sticky < 0) {
                sticky = nextSticky.getAsInt();
            }
            return sticky;
        }
    }
}
