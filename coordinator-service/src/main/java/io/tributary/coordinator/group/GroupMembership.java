package io.tributary.coordinator.group;

import io.tributary.coordinator.CoordinatorProperties;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.metadata.GroupMembers;
import io.tributary.protocol.metadata.GroupState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Service;

/**
 * Consumer-group membership in Redis: a sorted set of member ids scored by session expiry,
 * a generation counter, and per member the generation whose assignment it last reported
 * acting on. Every script first drops members whose session expired and bumps the
 * generation if any did, so concurrent heartbeats and readers agree on one member set. A
 * member that stops heartbeating leaves after the session timeout; a member that
 * disconnects cleanly leaves at once.
 *
 * <p>Generations fence consumer commits on storage (a commit from an older generation than
 * one that committed already is refused), so they must never go backwards, even when the
 * group's keys expire after a long idle spell or Redis loses them: a new counter starts at
 * the current time in milliseconds, above every generation handed out before.
 *
 * <p>Scripts take KEYS = members ZSET, generation STRING, applied HASH, joined HASH (member ->
 * the time it joined; see {@link RedisKeys}) and return
 * {@code [generation, id1, applied1, joined1, id2, applied2, joined2, ...]}.
 */
@Service
public class GroupMembership {
    /** Drops expired members (ARGV[1] = now) and bumps the generation if any were dropped; sets {@code generation}. */
    private static final String SWEEP = """
            local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
            for _, m in ipairs(expired) do
              redis.call('ZREM', KEYS[1], m)
              redis.call('HDEL', KEYS[3], m)
              redis.call('HDEL', KEYS[4], m)
            end
            redis.call('SET', KEYS[2], ARGV[1], 'NX')
            local generation
            if #expired > 0 then
              generation = redis.call('INCR', KEYS[2])
            else
              generation = tonumber(redis.call('GET', KEYS[2]))
            end
            """;
    private static final String STATE = """
            local result = { tostring(generation) }
            for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
              table.insert(result, m)
              table.insert(result, redis.call('HGET', KEYS[3], m) or '-1')
              table.insert(result, redis.call('HGET', KEYS[4], m) or '0')
            end
            return result
            """;
    /** ARGV: now, session expiry, member, key TTL ms, generation the member acts on. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> HEARTBEAT = RedisScript.of(SWEEP + """
            if redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3]) > 0 then
              generation = redis.call('INCR', KEYS[2])
            end
            redis.call('HSET', KEYS[3], ARGV[3], ARGV[5])
            redis.call('HSETNX', KEYS[4], ARGV[3], ARGV[1])
            for i = 1, 4 do
              redis.call('PEXPIRE', KEYS[i], ARGV[4])
            end
            """ + STATE, List.class);
    /** ARGV: now. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> READ = RedisScript.of(SWEEP + STATE, List.class);
    /** ARGV: member, now. */
    private static final RedisScript<Long> LEAVE = RedisScript.of("""
            redis.call('HDEL', KEYS[3], ARGV[1])
            redis.call('HDEL', KEYS[4], ARGV[1])
            if redis.call('ZREM', KEYS[1], ARGV[1]) > 0 then
              redis.call('SET', KEYS[2], ARGV[2], 'NX')
              return redis.call('INCR', KEYS[2])
            end
            return -1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final CoordinatorProperties props;

    public GroupMembership(StringRedisTemplate redis, RedisKeys keys, CoordinatorProperties props) {
        this.redis = redis;
        this.keys = keys;
        this.props = props;
    }

    /**
     * Joins or stays in the group, recording that this member acts on the assignment of
     * {@code appliedGeneration}; returns this member's share of {@code partitions}.
     */
    public GroupState heartbeat(String subscriptionKey, String memberId, long appliedGeneration, int partitions,
            boolean singleActive) {
        long now = System.currentTimeMillis();
        long session = props.memberSessionTimeout().toMillis();
        GroupMembers group = parse(redis.execute(HEARTBEAT, keys(subscriptionKey),
                Long.toString(now), Long.toString(now + session), memberId, Long.toString(session * 10),
                Long.toString(appliedGeneration)));
        List<String> ids = group.ids();
        List<Integer> mine = singleActive ? PartitionAssignor.assignToActive(group, memberId, partitions)
                : PartitionAssignor.assign(ids, memberId, partitions);
        return new GroupState(group.generation(), ids, mine);
    }

    public void leave(String subscriptionKey, String memberId) {
        redis.execute(LEAVE, keys(subscriptionKey), memberId, Long.toString(System.currentTimeMillis()));
    }

    /** The members whose session has not expired, with the generation each acts on. */
    public GroupMembers members(String subscriptionKey) {
        return parse(redis.execute(READ, keys(subscriptionKey), Long.toString(System.currentTimeMillis())));
    }

    private List<String> keys(String subscriptionKey) {
        return List.of(keys.groupMembers(subscriptionKey), keys.groupGeneration(subscriptionKey),
                keys.groupApplied(subscriptionKey), keys.groupJoined(subscriptionKey));
    }

    /** Reads {@code [generation, id1, applied1, joined1, ...]}; members sorted by id, the order the assignor expects. */
    private static GroupMembers parse(List<?> raw) {
        List<GroupMembers.Member> members = new ArrayList<>();
        for (int i = 1; i + 2 < raw.size(); i += 3) {
            members.add(new GroupMembers.Member(String.valueOf(raw.get(i)), Long.parseLong(String.valueOf(raw.get(i + 1))),
                    Long.parseLong(String.valueOf(raw.get(i + 2)))));
        }
        members.sort(Comparator.comparing(GroupMembers.Member::id));
        return new GroupMembers(Long.parseLong(String.valueOf(raw.get(0))), members);
    }
}
