package io.tributary.storage.api;

import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.http.BodyReader;
import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.storage.StorageProperties;
import io.tributary.storage.cursor.Cursor;
import io.tributary.storage.filter.TagFilteredRead;
import io.tributary.storage.log.AppendResult;
import io.tributary.storage.log.LogRead;
import io.tributary.storage.partition.LedPartition;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionResolver;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.bind.annotation.DeleteMapping;
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
 * POST /internal/partitions/{vhost}/{topic}/{p}/append?epoch=E&acks=all|leader     body: one record batch (octet-stream)
 *      -> {"baseOffset","lastOffset","logEndOffset"[,"offsets":[...] when some records were retries]}
 *         once the acks hold; 503 not-enough-replicas (acks=all, in-sync set below minInSyncReplicas)
 * GET  /internal/partitions/{vhost}/{topic}/{p}/records?offset=&maxBytes=&waitMs=[&tags=TagA || TagB]
 *      -> whole batches as stored below the high watermark (octet-stream, zero-copy from the
 *         segment file once verified), headers X-Log-Start-Offset / X-Log-End-Offset / X-High-Watermark;
 *         with a tag filter, only the matching records, re-batched, and X-Next-Offset
 * GET  /internal/partitions/{vhost}/{topic}/{p}/keys?key=base64url&limit=
 *      -> the records with that key, newest first: repeated (int64 offset, record as RecordCodec encodes it)
 * GET  /internal/partitions/{vhost}/{topic}/{p}/offsets[?timestamp=]
 * GET  /internal/partitions/{vhost}/{topic}/{p}/cursors[/{subscription}]   -> {"offset","generation"}
 * PUT  /internal/partitions/{vhost}/{topic}/{p}/cursors/{subscription}      {"offset","generation"?,"seek"?}
 *      -> the cursor after the commit; 409 fenced for a stale generation (see Cursor)
 * DELETE /internal/partitions/{vhost}/{topic}/{p}/cursors/{subscription}  -> 200; the cursor and its consumers' ({subscription}~...) go,
 *      and its shared ack state; a seek (PUT with "seek":true) also drops a shared subscription's pending acks
 * </pre>
 */
@RestController
@RequestMapping("/internal/partitions/{vhost}/{topic}/{partition}")
public class PartitionController {
    public static final String LOG_START = "X-Log-Start-Offset";
    public static final String LOG_END = "X-Log-End-Offset";
    public static final String HIGH_WATERMARK = "X-High-Watermark";
    /** On a filtered read: the offset after the last record looked at, matching or not. */
    public static final String NEXT_OFFSET = "X-Next-Offset";
    private static final long MAX_WAIT_MS = 30_000;
    private static final int MAX_KEY_RESULTS = 1000;

    private final PartitionResolver resolver;
    private final Scheduler disk;
    private final StorageProperties props;

    public PartitionController(PartitionResolver resolver, Scheduler diskScheduler, StorageProperties props) {
        this.resolver = resolver;
        this.disk = diskScheduler;
        this.props = props;
    }

    /**
     * An append, answered when {@code acks} hold: {@code leader} once the leader stored it
     * (and, for a {@code sync} topic, fsynced it), {@code all} (the default) once the high
     * watermark passed it, i.e. every in-sync replica has it. An {@code acks=all} append with
     * fewer in-sync replicas than the topic's minInSyncReplicas is refused before anything is
     * stored (503 {@code not-enough-replicas}).
     */
    @PostMapping("/append")
    public Mono<AppendResult> append(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @RequestParam(required = false) Integer epoch, @RequestParam(required = false) String acks, ServerWebExchange exchange) {
        Acks level = acks == null ? Acks.ALL : Acks.parse(acks);
        return BodyReader.read(exchange.getRequest(), props.maxBatchBytes().toBytes(), "record batch")
                .zipWith(resolver.leader(vhost, topic, partition, epoch))
                .publishOn(disk)
                .flatMap(t -> {
                    LedPartition led = t.getT2();
                    if (level == Acks.ALL && led.placement().isr().size() < led.topic().minInSyncReplicas()) {
                        return Mono.error(new TributaryException(ProblemType.NOT_ENOUGH_REPLICAS, topic + "/" + partition + " has "
                                + led.placement().isr().size() + " in-sync replicas " + led.placement().isr() + "; acks=all needs "
                                + led.topic().minInSyncReplicas() + ". Nothing was stored", Duration.ofSeconds(1), null));
                    }
                    return led.partition().append(t.getT1(), led.leaderEpoch(), led.syncFlush())
                            .flatMap(r -> level == Acks.ALL ? acknowledged(led, r) : Mono.just(r));
                });
    }

    /** The append's result once the high watermark passed its last record. */
    private Mono<AppendResult> acknowledged(LedPartition led, AppendResult r) {
        long last = r.offsets() == null ? r.lastOffset() : r.offsets().stream().mapToLong(Long::longValue).max().orElse(-1);
        led.partition().lead(props.nodeId(), led.leaderEpoch(), led.placement().isr(), led.topic().minInSyncReplicas());
        return led.partition().highWatermark().awaitPast(last, props.replicationWait()).flatMap(done -> done ? Mono.just(r)
                : Mono.error(TributaryException.unavailable("the in-sync replicas " + led.placement().isr()
                        + " did not confirm offset " + last + " in time; retrying the same batch is safe")));
    }

    @GetMapping("/records")
    public Mono<Void> records(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @RequestParam long offset, @RequestParam(required = false) Integer maxBytes,
            @RequestParam(defaultValue = "0") long waitMs, @RequestParam(required = false) Integer epoch,
            @RequestParam(required = false) String tags, ServerHttpResponse response) {
        if (offset < 0) {
            return Mono.error(TributaryException.invalidArgument("offset must not be negative"));
        }
        TagFilter filter = TagFilter.parse(tags);
        int max = maxBytes == null ? (int) props.maxFetchBytes().toBytes()
                : Math.max(1, Math.min(maxBytes, (int) props.maxFetchBytes().toBytes()));
        Duration wait = Duration.ofMillis(Math.max(0, Math.min(waitMs, MAX_WAIT_MS)));
        // Consumers see only what every in-sync replica has: reads stop at the high watermark,
        // and a long poll waits for it (not the log end) to move past the offset.
        return resolver.reader(vhost, topic, partition, epoch)
                .map(LedPartition::partition)
                .flatMap(p -> (wait.isZero() ? Mono.just(true) : p.highWatermark().awaitPast(offset, wait))
                        .then(Mono.fromCallable(() -> p.readVisible(offset, max)).subscribeOn(disk))
                        .flatMap(r -> filter.takesAll() ? write(response, r, p.highWatermark().value())
                                : Mono.fromCallable(() -> filtered(r, filter, offset, response)).subscribeOn(disk)
                                        .flatMap(f -> write(response, f, p.highWatermark().value()))));
    }

    /**
     * The read with only the records {@code filter} takes (see {@link TagFilteredRead});
     * X-Next-Offset says where the consumer reads next, past records that did not match.
     */
    private static LogRead filtered(LogRead r, TagFilter filter, long offset, ServerHttpResponse response) throws java.io.IOException {
        ByteBuffer bytes = r.isFileRegion() ? r.toBuffer() : r.bytes();
        TagFilteredRead f = TagFilteredRead.of(bytes, filter, offset);
        response.getHeaders().set(NEXT_OFFSET, Long.toString(f.nextOffset()));
        return LogRead.inMemory(f.batches(), r.logStartOffset(), r.logEndOffset());
    }

    /** Sends a read: a verified file region with sendfile where the connection allows it, else from memory. */
    static Mono<Void> write(ServerHttpResponse response, LogRead r, long highWatermark) {
        HttpHeaders h = response.getHeaders();
        h.setContentType(MediaType.APPLICATION_OCTET_STREAM);
        h.set(LOG_START, Long.toString(r.logStartOffset()));
        h.set(LOG_END, Long.toString(r.logEndOffset()));
        h.set(HIGH_WATERMARK, Long.toString(highWatermark));
        h.setContentLength(r.length());
        if (r.isFileRegion()) {
            ZeroCopyHttpOutputMessage zeroCopy = zeroCopy(response);
            if (zeroCopy != null) {
                return zeroCopy.writeWith(r.file(), r.position(), r.length());
            }
            return Mono.fromCallable(() -> r.toBuffer()).flatMap(b -> response.writeWith(Mono.just(
                    DefaultDataBufferFactory.sharedInstance.wrap(b))));
        }
        return response.writeWith(Mono.just(DefaultDataBufferFactory.sharedInstance.wrap(r.bytes())));
    }

    private static ZeroCopyHttpOutputMessage zeroCopy(ServerHttpResponse response) {
        ServerHttpResponse r = response;
        while (r instanceof ServerHttpResponseDecorator d) {
            r = d.getDelegate();
        }
        return r instanceof ZeroCopyHttpOutputMessage z ? z : null;
    }

    @GetMapping("/keys")
    public Mono<Void> byKey(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @RequestParam String key, @RequestParam(defaultValue = "10") int limit, ServerHttpResponse response) {
        byte[] keyBytes;
        try {
            keyBytes = Base64.getUrlDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            return Mono.error(TributaryException.invalidArgument("key must be base64url"));
        }
        int n = Math.max(1, Math.min(limit, MAX_KEY_RESULTS));
        return hosted(vhost, topic, partition).map(p -> {
            long hw = p.highWatermark().value();
            return encode(p.log().findByKey(keyBytes, n).stream().filter(r -> r.offset() < hw).toList());
        }).flatMap(bytes -> {
            response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
            return response.writeWith(Mono.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes)));
        });
    }

    private static ByteBuffer encode(List<Record> records) {
        List<byte[]> encoded = records.stream().map(RecordCodec::encode).toList();
        ByteBuffer out = ByteBuffer.allocate(encoded.stream().mapToInt(b -> b.length + 8).sum());
        for (int i = 0; i < records.size(); i++) {
            out.putLong(records.get(i).offset()).put(encoded.get(i));
        }
        return out.flip();
    }

    /** The led partition for a read (served below the high watermark even while Redis is away). */
    private Mono<Partition> hosted(String vhost, String topic, int partition) {
        return resolver.reader(vhost, topic, partition, null).map(LedPartition::partition).publishOn(disk);
    }

    /** The led partition for a write: refused while this node cannot vouch for its lease. */
    private Mono<Partition> hostedForWrite(String vhost, String topic, int partition) {
        return resolver.leader(vhost, topic, partition, null).map(LedPartition::partition).publishOn(disk);
    }

    @GetMapping("/offsets")
    public Mono<Map<String, Long>> offsets(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @RequestParam(required = false) Long timestamp) {
        return hosted(vhost, topic, partition).map(p -> {
            long start = p.log().startOffset();
            long end = p.log().endOffset();
            Map<String, Long> result = new LinkedHashMap<>();
            result.put("startOffset", start);
            result.put("endOffset", end);
            result.put("highWatermark", p.highWatermark().value());
            result.put("sizeBytes", p.log().sizeInBytes());
            result.put("segments", (long) p.log().segmentCount());
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

    /** A committed position (the next offset the subscription reads), and the generation that committed it. */
    public record CursorView(Long offset, Long generation) {
    }

    /**
     * A commit: {@code offset}, the committing member's group {@code generation} (absent: an
     * unfenced commit that may only move forward), or {@code seek: true} to move anywhere.
     */
    public record CursorCommit(Long offset, Long generation, Boolean seek) {
    }

    @GetMapping("/cursors/{subscription}")
    public Mono<CursorView> cursor(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @PathVariable String subscription) {
        return hosted(vhost, topic, partition).map(p -> p.cursors().cursor(subscription)
                .map(c -> new CursorView(c.offset(), c.generation())).orElse(new CursorView(null, null)));
    }

    /** A deleted subscription: its cursor and its broadcast consumers' cursors go (on the leader; followers copy it). */
    @DeleteMapping("/cursors/{subscription}")
    public Mono<Void> removeCursors(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @PathVariable String subscription) {
        return hostedForWrite(vhost, topic, partition).doOnNext(p -> {
            p.cursors().removeWithConsumers(subscription);
            p.shared().remove(subscription);
            p.consumerStateChanged();
        }).then();
    }

    @PutMapping("/cursors/{subscription}")
    public Mono<CursorView> commit(@PathVariable String vhost, @PathVariable String topic, @PathVariable int partition,
            @PathVariable String subscription, @RequestBody CursorCommit commit) {
        if (commit.offset() == null || commit.offset() < 0) {
            return Mono.error(TributaryException.invalidArgument("offset must be given and not negative"));
        }
        return hostedForWrite(vhost, topic, partition).map(p -> {
            long end = p.log().endOffset();
            if (commit.offset() > end) {
                throw TributaryException.invalidArgument("offset " + commit.offset() + " is past the end of the log (" + end + ")");
            }
            if (Boolean.TRUE.equals(commit.seek()) && p.shared().state(subscription).isPresent()) {
                p.shared().seek(subscription, commit.offset()); // a seek drops a shared subscription's pending acks
            }
            Cursor c = Boolean.TRUE.equals(commit.seek()) ? p.cursors().seek(subscription, commit.offset())
                    : p.cursors().commit(subscription, commit.offset(),
                            commit.generation() == null ? Cursor.UNFENCED : commit.generation());
            p.consumerStateChanged();
            return new CursorView(c.offset(), c.generation());
        });
    }
}
