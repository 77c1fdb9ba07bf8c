package io.tributary.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket consumer built on the JDK's client: collects text frames, sends ack and credit frames. */
final class WsClient implements AutoCloseable {
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final WebSocket socket;

    private WsClient(HttpClient http, URI uri) {
        this.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    frames.add(partial.toString());
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }
        }).join();
    }

    static WsClient open(HttpClient http, String gatewayUrl, String path) {
        return new WsClient(http, URI.create(gatewayUrl.replaceFirst("^http", "ws") + path));
    }

    void send(String frame) {
        socket.sendText(frame, true).join();
    }

    /** The next {@code n} frames; fails if they do not all arrive within {@code timeout}. */
    List<String> take(int n, Duration timeout) throws InterruptedException {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (got.size() < n) {
            String f = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (f == null) {
                throw new AssertionError("got " + got.size() + " of " + n + " WebSocket frames within " + timeout);
            }
            got.add(f);
        }
        return got;
    }

    /** A frame if one arrives within {@code wait}, else null. */
    String poll(Duration wait) throws InterruptedException {
        return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
}
