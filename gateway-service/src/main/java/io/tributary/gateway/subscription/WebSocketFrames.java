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
 * A WebSocket session's frames as the wire has them, both ways, on Reactor Netty (with a
 * fallback to Spring's API elsewhere).
 *
 * <p>In: every client frame, checked as RFC 6455 asks: a frame with reserved bits set (no
 * extension was agreed) ends the session with 1002, a text frame that is not UTF-8 with 1007.
 * Spring's {@code receive()} hides both (it decodes leniently and drops the bits).
 *
 * <p>Out: text frames and, when the server ends the session, a close frame as the stream's
 * last element, so the close frame always follows the frames before it and always goes out.
 *
 * <p>Why not {@code session.close(status)}: Reactor Netty's close writes the frame and shuts
 * the TCP connection at once, racing frames still queued on the outbound stream and the
 * client's reply (a cluster test saw clients report 1005 and 1006, "no close frame"). Here,
 * on Reactor Netty, the close frame is a plain frame of the stream; the handler then waits
 * for the client's own close frame (the RFC 6455 closing handshake) before the connection
 * goes. Other servers fall back to {@code close(status)}.
 */
final class WebSocketFrames {
    /** One outbound frame: a text, or the close that ends the session. */
    record Frame(String text, CloseStatus close) {
        static Frame text(String text) {
            return new Frame(text, null);
        }

        static Frame close(CloseStatus status) {
            return new Frame(null, status);
        }
    }

    private WebSocketFrames() {
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

    private static ReactorNettyWebSocketSession.WebSocketConnection connection(WebSocketSession session) {
        if (DELEGATE == null || !(session instanceof ReactorNettyWebSocketSession)) {
            return null;
        }
        try {
            return (ReactorNettyWebSocketSession.WebSocketConnection) DELEGATE.invoke(session);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** What a client frame turned out to be: its text, or the protocol violation that ends the session. */
    record Received(String text, CloseStatus violation) {
    }

    private static final int MAX_FRAME_BYTES = 64 * 1024;

    /** The client's frames, checked; may be subscribed to once. */
    static Flux<Received> receive(WebSocketSession session) {
        ReactorNettyWebSocketSession.WebSocketConnection c = connection(session);
        if (c == null) {
            return session.receive().map(m -> {
                org.springframework.core.io.buffer.DataBuffer payload = m.getPayload();
                byte[] bytes = new byte[payload.readableByteCount()];
                payload.read(bytes);
                return checkedText(bytes, 0);
            });
        }
        return c.getInbound().aggregateFrames(MAX_FRAME_BYTES).receiveFrames()
                .filter(f -> f instanceof TextWebSocketFrame || f instanceof io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame)
                .map(f -> {
                    byte[] bytes = new byte[f.content().readableBytes()];
                    f.content().getBytes(f.content().readerIndex(), bytes);
                    return checkedText(bytes, f.rsv());
                });
    }

    private static Received checkedText(byte[] bytes, int rsv) {
        if (rsv != 0) {
            return new Received(null, new CloseStatus(1002, "reserved bits set, but no extension was agreed"));
        }
        try {
            return new Received(java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString(), null);
        } catch (java.nio.charset.CharacterCodingException e) {
            return new Received(null, new CloseStatus(1007, "a text frame that is not UTF-8"));
        }
    }

    static Mono<Void> send(WebSocketSession session, Flux<Frame> frames) {
        ReactorNettyWebSocketSession.WebSocketConnection c = connection(session);
        WebsocketOutbound outbound = c == null ? null : c.getOutbound();
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
