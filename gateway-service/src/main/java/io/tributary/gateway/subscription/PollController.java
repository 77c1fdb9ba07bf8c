package io.tributary.gateway.subscription;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.cluster.Fetched;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.gateway.cluster.StorageReader;
import io.tributary.gateway.message.DeliveredMessage;
import io.tributary.gateway.request.StrictNumbers;
import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.record.Record;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST .../subscriptions/{sub}/poll?consumer=&max=&waitMs=}: pull for HTTP clients that
 * hold no connection open. On a shared subscription a poll claims messages (see
 * {@link SharedPoll}): they are the caller's until the ack timeout, to ack or nack over HTTP.
 * For broadcast consumers a poll reads every partition from
 * the consumer's committed position and changes nothing, so until the consumer acknowledges
 * ({@code POST .../ack?consumer=}) the next poll answers the same messages (at-least-once;
 * an ack moves the position past them). With nothing to read it waits up to {@code waitMs}
 * for the first partition that gets something (long poll). A group subscription is refused:
 * its partitions belong to connected members, which a stateless poll is not.
 */
@RestController
@RequestMapping("/api/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/poll")
@Tag(name = "Subscriptions")
public class PollController {
    static final int MAX_MESSAGES = 1000;
    static final long MAX_WAIT_MS = 30_000;

    private final MetadataLookup lookup;
    private final StorageReader storage;
    private final StartPositions starts;
    private final GatewayProperties props;
    private final JsonMapper json;
    private final SharedPoll sharedPoll;
    /** Reads one poll makes past records it may not deliver before answering with nothing. */
    private static final int MAX_SKIPPING_READS = 32;

    public PollController(MetadataLookup lookup, StorageReader storage, StartPositions starts, GatewayProperties props,
            JsonMapper json, SharedPoll sharedPoll) {
        this.sharedPoll = sharedPoll;
        this.lookup = lookup;
        this.storage = storage;
        this.starts = starts;
        this.props = props;
        this.json = json;
    }

    @PostMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Poll: the next messages of a shared subscription or a broadcast consumer (long poll with waitMs)",
            description = "Shared: claims up to max messages nobody else holds (redeliveries first); each is yours until the "
                    + "subscription's ackTimeoutMs: POST .../ack or .../nack them by id, or they are delivered again. "
                    + "Broadcast: reads every partition from the consumer's committed position and moves nothing: acknowledge "
                    + "with POST .../ack?consumer= to move past what you processed (until then a poll answers the same "
                    + "messages). Group subscriptions consume over SSE or WebSocket.",
            responses = {
                    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = "{\"messages\":[{\"id\":\"0-41\",\"topic\":\"orders\",\"partition\":0,"
                                    + "\"offset\":41,\"payload\":{\"n\":1},\"deliveryCount\":1}]}"))),
                    @ApiResponse(responseCode = "400", content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json"))})
    public Mono<String> poll(@PathVariable String vhost, @PathVariable String topic, @PathVariable String sub,
            @Parameter(description = "the broadcast consumer's name") @RequestParam(value = "consumer", required = false) String consumer,
            @Parameter(description = "at most this many messages (1-1000, default 100)") @RequestParam(value = "max", defaultValue = "100") String maxParam,
            @Parameter(description = "wait up to this long when there is nothing (0-30000, default 0)") @RequestParam(value = "waitMs", defaultValue = "0") String waitParam) {
        Names.require("vhost", vhost);
        Names.require("topic", topic);
        Names.require("subscription", sub);
        long max = StrictNumbers.require("max", maxParam, Integer.MAX_VALUE);
        long waitMs = StrictNumbers.require("waitMs", waitParam, Long.MAX_VALUE);
        if (max < 1 || max > MAX_MESSAGES) {
            throw TributaryException.invalidArgument("max must be between 1 and " + MAX_MESSAGES);
        }
        if (waitMs > MAX_WAIT_MS) {
            throw TributaryException.invalidArgument("waitMs must be between 0 and " + MAX_WAIT_MS);
        }
        return lookup.subscription(vhost, topic, sub).zipWith(lookup.topic(vhost, topic)).flatMap(t -> {
            SubscriptionInfo info = t.getT1();
            if (SharedConsumer.handles(info.type())) {
                ConsumerIdentity.of(info, consumer); // shared consumers are not named
                if (SharedConsumer.KEY_SHARED.equals(info.type())) {
                    throw TributaryException.invalidArgument("key_shared subscription '" + sub + "' splits its keys among its "
                            + "members: consume it over WebSocket or SSE (a poll is no member)");
                }
                if (info.singleActiveConsumer()) {
                    throw TributaryException.invalidArgument("subscription '" + sub + "' has a single active consumer, which "
                            + "is a member of the subscription: consume it over WebSocket or SSE (a poll is no member)");
                }
                long until = System.currentTimeMillis() + waitMs;
                return sharedPoll.poll(info, t.getT2().partitions(), (int) max, until).map(d -> render(topic, d));
            }
            if (!ConsumerIdentity.BROADCAST.equals(info.type())) {
                throw TributaryException.invalidArgument("poll serves shared subscriptions and broadcast consumers; the members "
                        + "of " + info.type() + " subscription '" + sub + "' consume over SSE or WebSocket");
            }
            ConsumerIdentity identity = ConsumerIdentity.of(info, consumer);
            TagFilter filter = TagFilter.parse(info.filter());
            return read(identity, filter, t.getT2(), Duration.ZERO, (int) max)
                    .flatMap(now -> nothingIn(now) && waitMs > 0
                            ? firstToArrive(identity, filter, t.getT2(), Duration.ofMillis(waitMs), (int) max)
                            : Mono.just(now))
                    .map(reads -> render(topic, deliveries(reads)));
        });
    }

    /** What one partition gave: its records, in order. */
    private record Read(int partition, List<Record> records) {
    }

    /** Every partition at once, without waiting: up to {@code max} records in all, partition by partition. */
    private Mono<List<Read>> read(ConsumerIdentity id, TagFilter filter, TopicInfo t, Duration wait, int max) {
        return Flux.fromStream(IntStream.range(0, t.partitions()).boxed())
                .flatMapSequential(p -> fetch(id, filter, t, p, wait))
                .collectList()
                .map(reads -> limit(reads, max));
    }

    /** With nothing anywhere: the first partition that gets something within {@code wait}, or nothing. */
    private Mono<List<Read>> firstToArrive(ConsumerIdentity id, TagFilter filter, TopicInfo t, Duration wait, int max) {
        return Flux.fromStream(IntStream.range(0, t.partitions()).boxed())
                .flatMap(p -> fetch(id, filter, t, p, wait))
                .filter(r -> !r.records().isEmpty())
                .next()
                .map(r -> limit(List.of(r), max))
                .defaultIfEmpty(List.of());
    }

    private Mono<Read> fetch(ConsumerIdentity id, TagFilter filter, TopicInfo t, int p, Duration wait) {
        return starts.committedOrStart(id, p).flatMap(from -> fetchFrom(filter, t, p, from, wait, MAX_SKIPPING_READS));
    }

    /**
     * One partition's records from {@code from}. A read that held only records nobody is
     * delivered (delayed ones, expired ones) reads on from past them, so those never hide what
     * follows (the position itself moves when the consumer acknowledges a later message).
     */
    private Mono<Read> fetchFrom(TagFilter filter, TopicInfo t, int p, long from, Duration wait, int readsLeft) {
        return storage.fetch(t.vhost(), t.name(), p, from, (int) props.fetchMaxBytes().toBytes(), wait, filter)
                .flatMap((Fetched f) -> {
                    AtomicLong next = new AtomicLong(from);
                    List<Record> records = PartitionFeed.decode(f, next, t.name(), p);
                    if (records.isEmpty() && next.get() > from && next.get() < f.highWatermark() && readsLeft > 1) {
                        return fetchFrom(filter, t, p, next.get(), wait, readsLeft - 1);
                    }
                    return Mono.just(new Read(p, records));
                });
    }

    private static boolean nothingIn(List<Read> reads) {
        return reads.stream().allMatch(r -> r.records().isEmpty());
    }

    private static List<Read> limit(List<Read> reads, int max) {
        List<Read> out = new ArrayList<>();
        int left = max;
        for (Read r : reads) {
            if (left == 0) {
                break;
            }
            List<Record> taken = r.records().subList(0, Math.min(left, r.records().size()));
            out.add(new Read(r.partition(), taken));
            left -= taken.size();
        }
        return out;
    }

    /** A broadcast poll's reads as deliveries (a poll that moves nothing counts each as a first delivery). */
    private static List<Delivery> deliveries(List<Read> reads) {
        List<Delivery> out = new ArrayList<>();
        reads.forEach(r -> r.records().forEach(rec -> out.add(new Delivery(r.partition(), rec))));
        return out;
    }

    /** One JSON object, each message written as stored (never parsed again), with its delivery count. */
    private String render(String topic, List<Delivery> deliveries) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeName("messages");
            g.writeStartArray();
            for (Delivery d : deliveries) {
                DeliveredMessage.write(g, topic, d.partition(), d.record(), d.deliveryCount());
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toString();
    }
}
