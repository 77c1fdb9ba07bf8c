package io.tributary.routing.exchange;

import io.tributary.protocol.lease.RedisKeys;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * This routing instance's copy of the exchanges and bindings. Every change in Redis is
 * announced on a channel and the copy reloads; a poll of the version counter every 500 ms
 * catches announcements missed while the subscription reconnects. So a binding declared
 * through any routing instance routes on all of them within a second. The instance that made
 * a change reloads before answering it.
 */
@Component("routingTable")
public class RoutingTableCache implements SmartLifecycle, HealthIndicator {
    private static final Logger log = LoggerFactory.getLogger(RoutingTableCache.class);
    private static final long POLL_MS = 500;

    private final ExchangeStore store;
    private final RedisConnectionFactory redis;
    private final RedisKeys keys;
    private final AtomicReference<RoutingTable> current = new AtomicReference<>(RoutingTable.empty());
    private final AtomicBoolean reloadQueued = new AtomicBoolean();
    private ScheduledExecutorService worker;
    private RedisMessageListenerContainer listener;

    public RoutingTableCache(ExchangeStore store, RedisConnectionFactory redis, RedisKeys keys) {
        this.store = store;
        this.redis = redis;
        this.keys = keys;
    }

    public RoutingTable current() {
        return current.get();
    }

    /** Loads the newest table now (blocking). */
    public synchronized RoutingTable reload() {
        RoutingTable fresh = store.load();
        RoutingTable result = current.accumulateAndGet(fresh, (old, neu) -> neu.version() >= old.version() ? neu : old);
        return result;
    }

    private void requestReload() {
        if (reloadQueued.compareAndSet(false, true)) {
            worker.execute(() -> {
                reloadQueued.set(false);
                try {
                    reload();
                } catch (RuntimeException e) {
                    log.warn("routing table reload failed: {}", e.toString());
                }
            });
        }
    }

    private void poll() {
        try {
            if (store.version() != current.get().version()) {
                requestReload();
            }
        } catch (RuntimeException e) {
            log.debug("routing version poll failed: {}", e.toString());
        }
    }

    @Override
    public void start() {
        worker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "routing-table"));
        listener = new RedisMessageListenerContainer();
        listener.setConnectionFactory(redis);
        listener.addMessageListener((message, pattern) -> requestReload(), new ChannelTopic(keys.routingChanges()));
        listener.afterPropertiesSet();
        listener.start();
        worker.scheduleWithFixedDelay(this::poll, 0, POLL_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        try {
            listener.stop();
            listener.destroy();
        } catch (Exception e) {
            log.debug("listener stop failed: {}", e.toString());
        }
        worker.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return worker != null && !worker.isShutdown();
    }

    /** Readiness: routing cannot route exchange publishes before it has loaded the table once. */
    @Override
    public Health health() {
        RoutingTable t = current.get();
        return t.version() >= 0 ? Health.up().withDetail("version", t.version()).build()
                : Health.outOfService().withDetail("reason", "exchanges and bindings not loaded from Redis").build();
    }
}
