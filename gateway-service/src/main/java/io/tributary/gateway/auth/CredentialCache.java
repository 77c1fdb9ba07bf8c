package io.tributary.gateway.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * What each credential was found to stand for, kept {@code tributary.security.credential-cache}
 * (1 s): a busy client costs Redis one lookup a second instead of one per request, and a
 * change made on another gateway is felt here within that second. A change made through this
 * gateway ({@link UserStore}) empties it at once, so its own next request sees the change.
 *
 * <p>While Redis cannot be asked, the last good answer for a credential stays usable
 * ({@link #lastGood}): the data path keeps working through a Redis outage for every client
 * it had already seen, as it did before authentication existed; nothing can be revoked or
 * changed during the outage anyway, since that needs Redis too.
 */
@Component
public class CredentialCache {
    private static final int MAX_ENTRIES = 10_000;
    private final long ttlNanos;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public CredentialCache(SecurityProperties props) {
        this.ttlNanos = props.credentialCache().toNanos();
    }

    /** The cached answer for {@code credential}, or null when there is none young enough. */
    public Mono<Caller> get(String credential) {
        Entry e = entries.get(credential);
        return e != null && System.nanoTime() - e.at() < ttlNanos ? e.answer() : null;
    }

    /** Keeps an answer: {@code good} when it is a caller, not a refusal. */
    public void put(String credential, Mono<Caller> answer, long at, boolean good) {
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear(); // a flood of distinct credentials: start over rather than grow without bound
        }
        entries.put(credential, new Entry(answer, at, good));
    }

    /** The last answer that let {@code credential} in, however old, or null (for when Redis is away). */
    public Mono<Caller> lastGood(String credential) {
        Entry e = entries.get(credential);
        return e != null && e.good() ? e.answer() : null;
    }

    public void clear() {
        entries.clear();
    }

    /** Runs a change to users, keys or permissions, then forgets every cached answer. */
    public <T> Mono<T> afterChange(Supplier<Mono<T>> change) {
        return Mono.defer(change).doOnEach(signal -> clear()).doOnCancel(this::clear); // on each signal, before it goes on: before the answer goes out
    }

    private record Entry(Mono<Caller> answer, long at, boolean good) {
    }
}
