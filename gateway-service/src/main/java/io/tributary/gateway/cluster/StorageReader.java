package io.tributary.gateway.cluster;

import io.tributary.protocol.cluster.LeaderCall;
import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.problem.TributaryException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The gateway's reads and cursor commits against partition leaders, following leadership
 * through {@link LeaderCall} (which also guards each storage node with its breaker and bulkhead).
 */
@Component
public class StorageReader {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final LeaderCall leaders;

    public StorageReader(LeaderCall leaders) {
        this.leaders = leaders;
    }

    /** Whole batches from the one holding {@code offset}; waits up to {@code wait} for data at the end. */
    public Mono<Fetched> fetch(String vhost, String topic, int partition, long offset, int maxBytes, Duration wait) {
        return fetch(vhost, topic, partition, offset, maxBytes, wait, TagFilter.all());
    }

    /** As above, only the records {@code filter} takes (storage filters; see {@link Fetched#nextOffset}). */
    public Mono<Fetched> fetch(String vhost, String topic, int partition, long offset, int maxBytes, Duration wait, TagFilter filter) {
        return leaders.call(vhost, topic, partition, t -> t.leader().get()
                .uri(u -> {
                    u.path("/internal/partitions/{vhost}/{topic}/{partition}/records")
                            .queryParam("offset", offset).queryParam("maxBytes", maxBytes)
                            .queryParam("waitMs", wait.toMillis()).queryParam("epoch", t.partition().leaderEpoch());
                    if (!filter.takesAll()) {
                        u.queryParam("tags", "{tags}");
                    }
                    return filter.takesAll() ? u.build(vhost, topic, partition) : u.build(vhost, topic, partition, filter.expression());
                })
                .retrieve()
                .toEntity(byte[].class)
                .timeout(wait.plus(TIMEOUT))
                .onErrorMap(java.util.concurrent.TimeoutException.class, e -> TributaryException.unavailable(
                        "the leader of " + topic + "/" + partition + " did not answer a fetch in time", e))
                .map(r -> {
                    HttpHeaders h = r.getHeaders();
                    byte[] body = r.getBody() == null ? new byte[0] : r.getBody();
                    return new Fetched(ByteBuffer.wrap(body), header(h, "X-Log-Start-Offset"), header(h, "X-Log-End-Offset"),
                            header(h, "X-High-Watermark"), header(h, "X-Next-Offset"));
                }));
    }

    public Mono<PartitionOffsets> offsets(String vhost, String topic, int partition, Long timestamp) {
        return leaders.call(vhost, topic, partition, t -> t.leader().get()
                .uri(u -> {
                    u.path("/internal/partitions/{vhost}/{topic}/{partition}/offsets");
                    if (timestamp != null) {
                        u.queryParam("timestamp", timestamp);
                    }
                    return u.build(vhost, topic, partition);
                })
                .retrieve().bodyToMono(PartitionOffsets.class).timeout(TIMEOUT));
    }

    public Mono<Optional<Long>> committed(String vhost, String topic, int partition, String subscription) {
        return leaders.call(vhost, topic, partition, t -> t.leader().get()
                .uri("/internal/partitions/{vhost}/{topic}/{partition}/cursors/{sub}", vhost, topic, partition, subscription)
                .retrieve().bodyToMono(new ParameterizedTypeReference<Map<String, Long>>() { }).timeout(TIMEOUT)
                .map(m -> Optional.ofNullable(m.get("offset"))));
    }

    /** Removes a deleted subscription's position on the partition, and its broadcast consumers'. */
    public Mono<Void> removeCursors(String vhost, String topic, int partition, String subscription) {
        return leaders.call(vhost, topic, partition, t -> t.leader().delete()
                .uri("/internal/partitions/{vhost}/{topic}/{partition}/cursors/{sub}", vhost, topic, partition, subscription)
                .retrieve().toBodilessEntity().timeout(TIMEOUT).then());
    }

    /** Every committed position of the partition, by cursor name. */
    public Mono<Map<String, Long>> cursors(String vhost, String topic, int partition) {
        return leaders.call(vhost, topic, partition, t -> t.leader().get()
                .uri("/internal/partitions/{vhost}/{topic}/{partition}/cursors", vhost, topic, partition)
                .retrieve().bodyToMono(new ParameterizedTypeReference<Map<String, Long>>() { }).timeout(TIMEOUT));
    }

    /** Commits {@code offset} from a member of group {@code generation}: refused ({@code fenced}) once a newer one committed. */
    public Mono<Void> commit(String vhost, String topic, int partition, String subscription, long offset, long generation) {
        return putCursor(vhost, topic, partition, subscription, Map.of("offset", offset, "generation", generation));
    }

    /** Commits {@code offset} outside any group session (an HTTP ack): moves the position only forward. */
    public Mono<Void> commit(String vhost, String topic, int partition, String subscription, long offset) {
        return putCursor(vhost, topic, partition, subscription, Map.of("offset", offset));
    }

    /** Moves the position to {@code offset}, backwards too. */
    public Mono<Void> seek(String vhost, String topic, int partition, String subscription, long offset) {
        return putCursor(vhost, topic, partition, subscription, Map.of("offset", offset, "seek", true));
    }

    private Mono<Void> putCursor(String vhost, String topic, int partition, String subscription, Map<String, Object> body) {
        return leaders.call(vhost, topic, partition, t -> t.leader().put()
                .uri("/internal/partitions/{vhost}/{topic}/{partition}/cursors/{sub}", vhost, topic, partition, subscription)
                .bodyValue(body)
                .retrieve().toBodilessEntity().timeout(TIMEOUT).then());
    }

    /** Up to {@code limit} records of the partition with {@code key}, newest first, through the storage key index. */
    public Mono<java.util.List<io.tributary.protocol.record.Record>> byKey(String vhost, String topic, int partition, byte[] key, int limit) {
        String encoded = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(key);
        return leaders.call(vhost, topic, partition, t -> t.leader().get()
                .uri(u -> u.path("/internal/partitions/{vhost}/{topic}/{partition}/keys")
                        .queryParam("key", encoded).queryParam("limit", limit).build(vhost, topic, partition))
                .retrieve().bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).timeout(TIMEOUT)
                .map(StorageReader::decodeKeyed));
    }

    /** The storage key lookup's answer: repeated (int64 offset, record). */
    static java.util.List<io.tributary.protocol.record.Record> decodeKeyed(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        java.util.List<io.tributary.protocol.record.Record> records = new java.util.ArrayList<>();
        while (b.remaining() >= 8) {
            long offset = b.getLong();
            int size = io.tributary.protocol.record.RecordCodec.sizeAt(b, b.position());
            records.add(io.tributary.protocol.record.RecordCodec.decode(b.slice(b.position(), size), offset));
            b.position(b.position() + size);
        }
        return records;
    }

    private static long header(HttpHeaders h, String name) {
        String v = h.getFirst(name);
        return v == null ? -1 : Long.parseLong(v);
    }
}
