package io.tributary.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.filter.TagFilter;
import io.tributary.protocol.record.Record;
import io.tributary.protocol.record.RecordBatchBuilder;
import io.tributary.protocol.record.RecordCodec;
import io.tributary.protocol.shared.ClaimedRange;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.partition.Partition;
import io.tributary.storage.partition.PartitionId;
import io.tributary.storage.partition.PartitionSettings;
import io.tributary.storage.segment.SegmentConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import reactor.core.scheduler.Schedulers;

/**
 * key_shared claims against a model, through random claims, acks, requeues, members joining,
 * leaving (their messages requeued) and crashing (their messages left to the ack timeout):
 * a message goes out only when every earlier message of its key is acked or goes out in the
 * same claim (so a key is never with two members at once, and its messages come in order),
 * a claim hands out only keys its member owns (or keyless messages), and once the members stop
 * changing and ack what they get, every message is acked in the end.
 */
class KeySharedDispatchTest {
    static final long ACK_TIMEOUT = 1000;

    @Property(tries = 60)
    void keysStayInOrderWithOneMemberAtATime(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        Path dir = Files.createTempDirectory("key-shared");
        FileCache files = new FileCache(8);
        PartitionSettings settings = new PartitionSettings(new SegmentConfig(1 << 20, 3_600_000, 4096), files, 600_000, 1000,
                Schedulers.immediate());
        try (Partition p = new Partition(new PartitionId("v", "t", "id", 0), dir, settings)) {
            int total = 300;
            Map<Long, String> keyOf = new HashMap<>();
            RecordBatchBuilder b = new RecordBatchBuilder();
            for (int i = 0; i < total; i++) {
                String key = random.nextInt(10) == 0 ? null : "k" + random.nextInt(8);
                keyOf.put((long) i, key);
                b.add(RecordCodec.encode(new Record(-1, 1, 0, 0, key == null ? null : key.getBytes(StandardCharsets.UTF_8), null,
                        null, Map.of(), ("m" + i).getBytes(StandardCharsets.UTF_8), false)));
            }
            p.append(b.build(), 1, false).block(Duration.ofSeconds(5));
            p.followHighWatermark(p.log().endOffset());

            List<String> members = new ArrayList<>(List.of("a", "b"));
            Map<String, Set<Long>> holds = new HashMap<>();
            Set<Long> acked = new HashSet<>();
            long now = 1_000_000;
            int next = 0;
            for (int step = 0; step < 400 && acked.size() < total; step++) {
                boolean settling = step >= 250; // no more membership changes: everything must get through
                int op = random.nextInt(10);
                if (!settling && op == 0 && members.size() < 4) {
                    members.add("n" + next++);
                } else if (!settling && op == 1 && members.size() > 1) {
                    String gone = members.remove(random.nextInt(members.size()));
                    List<Long> held = new ArrayList<>(holds.getOrDefault(gone, Set.of()));
                    holds.remove(gone);
                    if (random.nextBoolean() && !held.isEmpty()) {
                        p.shared().nack("s", held, true, false, false); // a clean close requeues
                    } else {
                        now += ACK_TIMEOUT; // a crash: its leases run out
                        holds.values().forEach(Set::clear); // everyone's leases ran out too
                    }
                } else if (op <= 5 || settling) {
                    String m = members.get(random.nextInt(members.size()));
                    claim(p, m, members, random.nextInt(5) + 1, now, keyOf, acked, holds);
                    Set<Long> mine = holds.computeIfAbsent(m, k -> new HashSet<>());
                    if (!mine.isEmpty() && (settling || random.nextInt(4) > 0)) {
                        List<Long> done = new ArrayList<>(mine);
                        if (!settling && random.nextInt(5) == 0) {
                            p.shared().nack("s", done, true, false, false);
                        } else {
                            p.shared().ack("s", done);
                            acked.addAll(done);
                        }
                        mine.clear();
                    }
                }
            }
            assertThat(acked).as("every message was acked once the members stopped changing").hasSize(total);
        } finally {
            files.close();
        }
    }

    private static void claim(Partition p, String member, List<String> members, int max, long now, Map<Long, String> keyOf,
            Set<Long> acked, Map<String, Set<Long>> holds) throws Exception {
        SharedDispatcher.Settings settings = new SharedDispatcher.Settings(ACK_TIMEOUT, 0, false, TagFilter.parse(null), false,
                new SharedDispatcher.KeyShare(member, List.copyOf(members), 0));
        SharedDispatcher.Claimed c = SharedDispatcher.claim(p, "s", 0L, max, 1 << 20, settings, now);
        TreeSet<Long> got = new TreeSet<>();
        for (ClaimedRange r : c.ranges()) {
            for (long o = r.from(); o < r.to(); o++) {
                got.add(o);
            }
        }
        assertThat(got.size()).isLessThanOrEqualTo(max);
        KeyRing ring = KeyRing.of(members);
        for (long o : got) {
            String key = keyOf.get(o);
            assertThat(acked).as("offset %d goes out once acked? no: it is not acked yet", o).doesNotContain(o);
            if (key == null) {
                continue;
            }
            assertThat(ring.owner(io.tributary.storage.index.KeyHash.of(key.getBytes(StandardCharsets.UTF_8))))
                    .as("%s owns key %s", member, key).isEqualTo(member);
            for (long earlier = 0; earlier < o; earlier++) {
                if (key.equals(keyOf.get(earlier))) {
                    assertThat(acked.contains(earlier) || got.contains(earlier))
                            .as("offset %d of key %s goes out only after %d is acked", o, key, earlier).isTrue();
                }
            }
        }
        holds.computeIfAbsent(member, k -> new HashSet<>()).addAll(got);
    }
}
