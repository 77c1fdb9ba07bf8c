package io.tributary.gateway.subscription;

import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.cluster.Fetched;
import io.tributary.gateway.cluster.StorageReader;
import io.tributary.protocol.cluster.LeaderCall;
import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * An endless stream of one partition's records from a position: long-poll fetches against
 * the leader, one after another, each starting where the last ended. At most one fetch runs
 * ahead of what the consumer took (backpressure), a leader that is down is waited for, and
 * records past their TTL are skipped. A tag filter is applied by storage, where the data is.
 */
@Component
public class PartitionFeed {
    private final StorageReader storage;
    private final GatewayProperties props;

    public PartitionFeed(StorageReader storage, GatewayProperties props) {
        this.storage = storage;
        this.props = props;
    }

    /**
     * The deliveries of one partition from {@code from}: only the records whose tag
     * {@code filter} takes (storage leaves the others out), and a gap first wherever retention
     * removed positions this feed had not read yet.
     */
    public Flux<Delivery> deliveries(String vhost, String topic, int partition, long from, TagFilter filter) {
        AtomicLong next = new AtomicLong(from);
        int maxBytes = (int) props.fetchMaxBytes().toBytes();
        return Mono.defer(() -> storage.fetch(vhost, topic, partition, next.get(), maxBytes, props.fetchWait(), filter))
                .map(f -> {
                    long at = next.get();
                    List<Delivery> out = new ArrayList<>();
                    if (f.logStartOffset() > at) {
                        out.add(Delivery.gap(partition, at, f.logStartOffset()));
                    }
                    decode(f, next, topic, partition).forEach(r -> out.add(new Delivery(partition, r)));
                    return out;
                })
                .onErrorResume(e -> isOutOfRange(e), e -> storage.offsets(vhost, topic, partition, null)
                        .map(o -> {
                            next.set(o.endOffset()); // the position is past the log (truncated, or a forged token)
                            return List.<Delivery>of();
                        }))
                .repeat()
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(3))
                        .filter(LeaderCall::isRetriable))
                .concatMapIterable(list -> list, 1);
    }

    /** The records at or after {@code next} below the high watermark; advances {@code next} past them. */
    static List<Record> decode(Fetched f, AtomicLong next, String topic, int partition) {
        long from = next.get();
        long now = System.currentTimeMillis();
        List<Record> out = new ArrayList<>();
        long end = from;
        for (RecordBatch batch : f.checkedBatches(topic, partition)) {
            for (Record r : batch.records()) {
                if (r.offset() < from || (f.highWatermark() >= 0 && r.offset() >= f.highWatermark())) {
                    continue;
                }
                end = r.offset() + 1;
                // A delayed message is delivered as its released copy, appended at its time.
                if (!r.scheduled() && (r.expireAt() == 0 || r.expireAt() > now)) {
                    out.add(r);
                }
            }
        }
        if (f.nextOffset() > end) {
            end = f.nextOffset(); // storage looked further than the last record it sent (a tag filter)
        }
        if (f.logStartOffset() > end) {
            end = f.logStartOffset(); // retention removed what we were about to read
        }
        next.set(end);
        return out;
    }

    private static boolean isOutOfRange(Throwable e) {
        return e instanceof TributaryException t && t.type() == ProblemType.OFFSET_OUT_OF_RANGE;
    }
}
