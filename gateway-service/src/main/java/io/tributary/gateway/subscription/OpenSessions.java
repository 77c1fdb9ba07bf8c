package io.tributary.gateway.subscription;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * The WebSocket consumer sessions open on this gateway, so that a shutdown ends each with a
 * 1001 (going away) close frame before the server stops, instead of dropping the connection.
 * Stops in the default phase, before the web server's graceful shutdown begins.
 */
@Component
public class OpenSessions implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(OpenSessions.class);

    private final Set<WebSocketSession> open = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    void add(WebSocketSession session) {
        open.add(session);
    }

    void remove(WebSocketSession session) {
        open.remove(session);
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (!open.isEmpty()) {
            log.info("closing {} WebSocket consumer sessions: the gateway is shutting down", open.size());
        }
        for (WebSocketSession s : Set.copyOf(open)) {
            s.close(SessionEnd.goingAway()).subscribe(ok -> { }, e -> log.debug("close of {} failed: {}", s.getId(), e.toString()));
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
