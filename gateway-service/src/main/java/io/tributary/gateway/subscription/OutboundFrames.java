package io.tributary.gateway.subscription;

import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * Writes a WebSocket session's outbound stream: text frames and, when the server ends the
 * session, a close frame as the stream's last element, so the close frame always follows
 * the frames before it and always goes out.
 *
 * <p>Why not {@code session.close(status)}: Reactor Netty's close writes the frame and shuts
 * the TCP connection at once, racing frames still queued on the outbound stream and the
 * client's reply (a cluster test saw clients report 1005 and 1006, "no close frame"). Here,
 * on Reactor Netty, the close frame is a plain frame of the stream; the handler then waits
 * for the client's own close frame (the RFC 6455 closing handshake) before the connection
 * goes. Other servers fall back to {@code close(status)}.
 */
final class OutboundFrames {
    /** One outbound frame: a text, or the close that ends the session. */
    record Frame(String text, CloseStatus close) {
        static Frame text(String text) {
            return new Frame(text, null);
        }

        static Frame close(CloseStatus status) {
            return new Frame(null, status);
        }
    }

    private OutboundFrames() {
    }

    /**
     * Spring keeps a session's Reactor Netty connection behind a protected accessor; it is
     * read once here, reflectively. If a Spring upgrade moves it, sessions fall back to
     * {@code close(status)} (a possible race with the client's reply, never a missing feature).
     */
    private static final java.lang.reflect.Method DELEGATE = delegateAccessor();

    private static java.lang.reflect.Method delegateAccessor() {
        try {
            java.lang.reflect.Method m = org.springframework.web.reactive.socket.adapter.AbstractWebSocketSession.class
                    .getDeclaredMethod("getDelegate");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static WebsocketOutbound nettyOutbound(WebSocketSession session) {
        if (DELEGATE == null || !(session instanceof ReactorNettyWebSocketSession)) {
            return null;
        }
        try {
            return ((ReactorNettyWebSocketSession.WebSocketConnection) DELEGATE.invoke(session)).getOutbound();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static Mono<Void> send(WebSocketSession session, Flux<Frame> frames) {
        WebsocketOutbound outbound = nettyOutbound(session);
        if (outbound != null) {
            return outbound.sendObject(frames.map(f -> f.close() == null
                    ? new TextWebSocketFrame(f.text())
                    : new CloseWebSocketFrame(f.close().getCode(), f.close().getReason()))).then();
        }
        java.util.concurrent.atomic.AtomicReference<CloseStatus> close = new java.util.concurrent.atomic.AtomicReference<>();
        return session.send(frames.doOnNext(f -> {
                    if (f.close() != null) {
                        close.set(f.close());
                    }
                }).filter(f -> f.close() == null).map(f -> session.textMessage(f.text())))
                .then(Mono.defer(() -> close.get() == null ? Mono.empty() : session.close(close.get())));
    }
}
