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

    public void put(String credential, Mono<Caller> answer, long at) {
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear(); // a flood of distinct credentials: start over rather than grow without bound
        }
        entries.put(credential, new Entry(answer, at));
    }

    public void clear() {
        entries.clear();
    }

    /** Runs a change to users, keys or permissions, then forgets every cached answer. */
    public <T> Mono<T> afterChange(Supplier<Mono<T>> change) {
        return Mono.defer(change).doOnTerminate(this::clear).doOnCancel(this::clear); // before the answer goes out
    }

    private record Entry(Mono<Caller> answer, long at) {
    }
}
