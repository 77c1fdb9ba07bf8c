package io.tributary.storage.api;

import io.tributary.protocol.http.BodyReader;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.log.AppendResult;
import io.tributary.storage.log.FetchResult;
import io.tributary.storage.partition.LedPartition;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionResolver;
import java.time.Duration;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The node's internal partition API (cluster token required).
 *
 * <pre>
 * POST /internal/partitions/{vhost}/{topic}/{p}/append?epoch=E     body: one record batch (octet-stream)
 *      -> {"baseOffset","lastOffset","logEndOffset"}
 * GET  /internal/partitions/{vhost}/{topic}/{p}/records?offset=&maxBytes=&waitMs=
 *      -> whole batches (octet-stream), headers X-Log-Start-Offset / X-Log-End-Offset / X-High-Watermark
 * GET  /internal/partitions/{vhost}/{topic}/{p}/offsets[?timestamp=]
 * GET|PUT /internal/partitions/{vhost}/{topic}/{p}/cursors[/{subscription}]
 * </pre>
 */
@RestController
@RequestMapping("/internal/partitions/{vhost}/{topic}/{partition}")
public class PartitionController {
    public static final String LOG_START = "X-Log-Start-Offset";
    public static final String LOG_END = "X-Log-End-Offset";
    public static final String HIGH_WATERMARK = "X-High-Watermark";
    private static final long MAX_WAIT_MS = 30_000;

    private final PartitionResolver resolver;
    private final Scheduler disk;
    private final StorageProperties props;

    public PartitionController(PartitionResolver resolver, Scheduler diskScheduler, StorageProperties props) {
        this.resolver = resolver;
        this.disk = diskScheduler;
        this.props = props;
    }

    @PostMapping("/append")
    public Mono<AppendResult> append(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @RequestParam(required = false) Integer epoch, ServerWebExchange exchange) {
        return BodyReader.read(exchange.getRequest(), props.maxBatchBytes().toBytes(), "record batch")
                .zipWith(resolver.leader(vhost, topic, partition, epoch))
                .publishOn(disk)
                .map(t -> t.getT2().partition().append(t.getT1(), t.getT2().leaderEpoch()));
    }

    @GetMapping("/records")
    public Mono<ResponseEntity<DataBuffer>> records(@PathVariable String vhost, @PathVariable String topic,
            @PathVariable int partition, @RequestParam long offset,
            @RequestParam(required = false) Integer maxBytes, @RequestParam(defaultValue = "0") long waitMs,
            @RequestParam(required = false) Integer epoch) {
        if (offset < 0) {
            return Mono.error(TributaryException.invalidArgument("offset must not be negative"));
        }
        int max = maxBytes == null ? (int) props.maxFetchBytes().toBytes()
                : Math.max(1, Math.min(maxBytes, (int) props.maxFetchBytes().toBytes()));
        Duration wait = Duration.ofMillis(Math.max(0, Math.min(waitMs, MAX_WAIT_MS)));
        return resolver.leader(vhost, topic, partition, epoch)
                .map(LedPartition::partition)
                .flatMap(p -> p.awaitDataAfter(offset, wait).then(Mono.fromCallable(() -> p.read(offset, max)).subscribeOn(disk)))
                .map(PartitionController::toResponse);
    }

    private static ResponseEntity<DataBuffer> toResponse(FetchResult r) {
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header(LOG_START, Long.toString(r.logStartOffset()))
                .header(LOG_END, Long.toString(r.logEndOffset()))
                .header(HIGH_WATERMARK, Long.toString(r.logEndOffset()))
                .body(DefaultDataBufferFactory.sharedInstance.wrap(r.batches()));
    }

    private Mono<Partition> hosted(String vhost, String topic, int partition) {
        return resolver.leader(vhost, topic, partition, null).map(LedPartition::partition).publishOn(disk);
    }

    @GetMapping("/offsets")
    public Mono<Map<String, Long>> offsets(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @RequestParam(required = false) Long timestamp) {
        return hosted(vhost, topic, partition).map(p -> {
            long start = p.log().startOffset();
            long end = p.log().endOffset();
            Map<String, Long> result = new java.util.LinkedHashMap<>();
            result.put("startOffset", start);
            result.put("endOffset", end);
            result.put("highWatermark", end);
            result.put("sizeBytes", p.log().sizeInBytes());
            if (timestamp != null) {
                result.put("offsetForTimestamp", p.log().offsetForTimestamp(timestamp));
            }
            return result;
        });
    }

    @GetMapping("/cursors")
    public Mono<Map<String, Long>> cursors(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition) {
        return hosted(vhost, topic, partition).map(p -> p.cursors().all());
    }

    /** A committed position: the next offset the subscription reads. */
    public record Cursor(Long offset) {
    }

    @GetMapping("/cursors/{subscription}")
    public Mono<Cursor> cursor(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @PathVariable String subscription) {
        return hosted(vhost, topic, partition)
                .map(p -> new Cursor(p.cursors().get(subscription).orElse(null)));
    }

    @PutMapping("/cursors/{subscription}")
    public Mono<Cursor> commit(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @PathVariable String subscription, @RequestBody Cursor cursor) {
        if (cursor.offset() == null || cursor.offset() < 0) {
            return Mono.error(TributaryException.invalidArgument("offset must be given and not negative"));
        }
        return hosted(vhost, topic, partition).map(p -> {
            long end = p.log().endOffset();
            if (cursor.offset() > end) {
                throw TributaryException.invalidArgument("offset " + cursor.offset() + " is past the end of the log (" + end + ")");
            }
            p.cursors().commit(subscription, cursor.offset());
            return cursor;
        });
    }
}
