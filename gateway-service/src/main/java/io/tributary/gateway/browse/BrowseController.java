package io.tributary.gateway.browse;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.cluster.Fetched;
import io.tributary.gateway.cluster.StorageReader;
import io.tributary.gateway.message.DeliveredMessage;
import io.tributary.gateway.request.StrictNumbers;
import io.tributary.gateway.openapi.ApiExamples;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Reading a partition by offset (browse / pull) and finding offsets by time. Reading changes no position. */
@RestController
@Tag(name = "Browse", description = "Read partitions by offset, find offsets by time")
public class BrowseController {
    private static final int MAX_LIMIT = 1000;
    private static final long MAX_WAIT_MS = 30_000;

    private final StorageReader storage;
    private final MetadataLookup lookup;
    private final JsonMapper json;
    private final GatewayProperties props;

    public BrowseController(StorageReader storage, MetadataLookup lookup, JsonMapper json, GatewayProperties props) {
        this.storage = storage;
        this.lookup = lookup;
        this.json = json;
        this.props = props;
    }

    @GetMapping(value = "/api/v1/vhosts/{vhost}/topics/{topic}/partitions/{partition}/messages", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Browse a partition from an offset",
            description = "Returns up to 'limit' messages from 'offset' (default: the first retained offset), and nextOffset "
                    + "to continue from. With waitMs, an empty partition end is waited on (long poll).",
            responses = {
                    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = ApiExamples.BROWSE))),
                    @ApiResponse(responseCode = "400", content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", description = "Unknown vhost, topic or partition",
                            content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_NOT_FOUND))),
                    @ApiResponse(responseCode = "416", description = "offset is past the end of the partition",
                            content = @Content(mediaType = "application/problem+json"))})
    public Mono<String> browse(@PathVariable String vhost, @PathVariable String topic, @PathVariable String partition,
            @Parameter(description = "first offset to read (default: start of the log)") @RequestParam(name = "offset", required = false) String offsetParam,
            @Parameter(description = "at most this many messages (1-1000, default 100)") @RequestParam(name = "limit", defaultValue = "100") String limitParam,
            @Parameter(description = "wait up to this long for messages at the end (0-30000)") @RequestParam(name = "waitMs", defaultValue = "0") String waitParam) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        int p = partitionNumber(partition);
        Long offset = offsetParam == null ? null : StrictNumbers.require("offset", offsetParam, Long.MAX_VALUE);
        long limit = StrictNumbers.require("limit", limitParam, Integer.MAX_VALUE);
        long waitMs = StrictNumbers.require("waitMs", waitParam, Long.MAX_VALUE);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw TributaryException.invalidArgument("limit must be between 1 and " + MAX_LIMIT);
        }
        if (waitMs < 0 || waitMs > MAX_WAIT_MS) {
            throw TributaryException.invalidArgument("waitMs must be between 0 and " + MAX_WAIT_MS);
        }
        long from = offset == null ? 0 : offset;
        return lookup.topic(vhost, topic)
                .doOnNext(t -> {
                    if (p >= t.partitions()) {
                        throw TributaryException.notFound("partition " + p + " does not exist: topic '" + topic
                                + "' has partitions 0 to " + (t.partitions() - 1));
                    }
                })
                .flatMap(t -> storage.fetch(vhost, topic, p, from, (int) props.fetchMaxBytes().toBytes(), Duration.ofMillis(waitMs)))
                .map(f -> page(topic, p, from, (int) limit, f));
    }

    private String page(String topic, int partition, long from, int limit, Fetched f) {
        List<Record> records = new ArrayList<>();
        long next = Math.max(from, f.logStartOffset());
        outer:
        for (RecordBatch b : f.checkedBatches(topic, partition)) {
            for (Record r : b.records()) {
                if (r.offset() < next || r.offset() >= f.highWatermark()) {
                    continue;
                }
                if (records.size() == limit) {
                    break outer;
                }
                next = r.offset() + 1;
                if (!r.scheduled()) {
                    records.add(r); // a delayed message is read where its released copy is, at its time
                }
            }
        }
        long nextOffset = next;
        return render(g -> {
            g.writeName("messages");
            g.writeStartArray();
            for (Record r : records) {
                DeliveredMessage.write(g, topic, partition, r, null);
            }
            g.writeEndArray();
            g.writeNumberProperty("nextOffset", nextOffset);
            g.writeNumberProperty("startOffset", f.logStartOffset());
            g.writeNumberProperty("endOffset", f.logEndOffset());
        });
    }

    /** One JSON object written in one pass, messages included as stored (never parsed again). */
    private String render(java.util.function.Consumer<tools.jackson.core.JsonGenerator> fields) {
        java.io.StringWriter out = new java.io.StringWriter();
        try (tools.jackson.core.JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            fields.accept(g);
            g.writeEndObject();
        }
        return out.toString();
    }

    @GetMapping(value = "/api/v1/vhosts/{vhost}/topics/{topic}/messages", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Look up messages by key, or offsets by time",
            description = "?key=<key> answers the messages with that key, newest first (up to ?limit=, default 10, max 100), "
                    + "through each segment's key index rather than a scan of the log (RocketMQ's index service). "
                    + "?timestamp=<epoch ms> answers, per partition, the first offset whose message has a timestamp at or "
                    + "after it, the end offset when there is none (Kafka's offsetsForTimes).",
            responses = {
                    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json", examples = {
                            @ExampleObject(name = "by key", value = ApiExamples.BY_KEY),
                            @ExampleObject(name = "by timestamp", value = ApiExamples.OFFSETS_FOR_TIME)})),
                    @ApiResponse(responseCode = "400", content = @Content(mediaType = "application/problem+json"))})
    public Mono<String> lookup(@PathVariable String vhost, @PathVariable String topic,
            @RequestParam(name = "timestamp", required = false) String timestampParam, @RequestParam(required = false) String key,
            @RequestParam(name = "limit", defaultValue = "10") String limitParam) {
        Long timestamp = timestampParam == null ? null : StrictNumbers.require("timestamp", timestampParam, Long.MAX_VALUE);
        int limit = (int) StrictNumbers.require("limit", limitParam, Integer.MAX_VALUE);
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        if ((key == null) == (timestamp == null)) {
            return Mono.error(TributaryException.invalidArgument("give exactly one of ?key=<key> and ?timestamp=<epoch ms>"));
        }
        if (key != null) {
            return byKey(vhost, topic, key, limit);
        }
        return lookup.topic(vhost, topic).flatMap(t -> Flux.range(0, t.partitions())
                .flatMapSequential(p -> storage.offsets(vhost, topic, p, timestamp).map(o -> new long[] {p, o.offsetForTimestamp()}))
                .collectList()
                .map(list -> render(g -> {
                    g.writeNumberProperty("timestamp", timestamp);
                    g.writeName("offsets");
                    g.writeStartArray();
                    for (long[] po : list) {
                        g.writeStartObject();
                        g.writeNumberProperty("partition", po[0]);
                        g.writeNumberProperty("offset", po[1]);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                })));
    }

    private Mono<String> byKey(String vhost, String topic, String key, int limit) {
        if (limit < 1 || limit > 100) {
            return Mono.error(TributaryException.invalidArgument("limit must be between 1 and 100"));
        }
        byte[] keyBytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return lookup.topic(vhost, topic).flatMap(t -> Flux.range(0, t.partitions())
                .flatMap(p -> storage.byKey(vhost, topic, p, keyBytes, limit)
                        .map(records -> records.stream().filter(r -> !r.scheduled()).map(r -> new Object[] {p, r}).toList()))
                .collectList()
                .map(perPartition -> {
                    List<Object[]> all = new ArrayList<>();
                    perPartition.forEach(all::addAll);
                    all.sort((a, b) -> {
                        Record ra = (Record) a[1];
                        Record rb = (Record) b[1];
                        int byTime = Long.compare(rb.timestamp(), ra.timestamp());
                        return byTime != 0 ? byTime : Long.compare(rb.offset(), ra.offset());
                    });
                    List<Object[]> newest = all.subList(0, Math.min(limit, all.size()));
                    return render(g -> {
                        g.writeStringProperty("key", key);
                        g.writeName("messages");
                        g.writeStartArray();
                        for (Object[] pr : newest) {
                            DeliveredMessage.write(g, topic, (Integer) pr[0], (Record) pr[1], null);
                        }
                        g.writeEndArray();
                    });
                }));
    }

    private static int partitionNumber(String partition) {
        try {
            return (int) StrictNumbers.parse(partition, Integer.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            throw TributaryException.notFound("partition '" + partition + "' does not exist: partitions are numbered 0, 1, 2, ...");
        }
    }
}
