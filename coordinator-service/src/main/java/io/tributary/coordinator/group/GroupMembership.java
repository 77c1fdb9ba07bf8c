package io.tributary.coordinator.group;

import io.tributary.protocol.metadata.GroupState;

import io.tributary.coordinator.CoordinatorProperties;
import io.tributary.protocol.lease.RedisKeys;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Service;

/**
 * Consumer-group membership in Redis: a sorted set of member ids scored by session expiry.
 * A heartbeat adds or refreshes the member, drops members whose session expired, and bumps
 * the generation when the member set changed, all in one script so concurrent heartbeats
 * agree. A member that stops heartbeating leaves after the session timeout; a member that
 * disconnects cleanly leaves at once.
 */
@Service
public class GroupMembership {
    private static final RedisScript<List> HEARTBEAT = RedisScript.of("""
            local removed = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
            local added = redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
            local generation
            if removed > 0 or added > 0 then
              generation = redis.call('INCR', KEYS[2])
            else
              generation = tonumber(redis.call('GET', KEYS[2]) or '0')
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            redis.call('PEXPIRE', KEYS[2], ARGV[4])
            local result = redis.call('ZRANGE', KEYS[1], 0, -1)
            table.insert(result, 1, tostring(generation))
            return result
            """, List.class);
    private static final RedisScript<Long> LEAVE = RedisScript.of("""
            if redis.call('ZREM', KEYS[1], ARGV[1]) > 0 then
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

    /** Joins or stays in the group; returns this member's share of {@code partitions}. */
    @SuppressWarnings("unchecked")
    public GroupState heartbeat(String subscriptionKey, String memberId, int partitions) {
        long now = System.currentTimeMillis();
        long session = props.memberSessionTimeout().toMillis();
        List<Object> raw = redis.execute(HEARTBEAT,
                List.of(keys.groupMembers(subscriptionKey), keys.groupGeneration(subscriptionKey)),
                Long.toString(now), Long.toString(now + session), memberId, Long.toString(session * 10));
        long generation = Long.parseLong(String.valueOf(raw.get(0)));
        List<String> members = new ArrayList<>();
        for (int i = 1; i < raw.size(); i++) {
            members.add(String.valueOf(raw.get(i)));
        }
        members.sort(null);
        return new GroupState(generation, members, PartitionAssignor.assign(members, memberId, partitions));
    }

    public void leave(String subscriptionKey, String memberId) {
        redis.execute(LEAVE, List.of(keys.groupMembers(subscriptionKey), keys.groupGeneration(subscriptionKey)), memberId);
    }

    /** The members whose session has not expired. */
    public List<String> members(String subscriptionKey) {
        var set = redis.opsForZSet().rangeByScore(keys.groupMembers(subscriptionKey), System.currentTimeMillis(), Double.MAX_VALUE);
        List<String> members = set == null ? new ArrayList<>() : new ArrayList<>(set);
        members.sort(null);
        return members;
    }
}
