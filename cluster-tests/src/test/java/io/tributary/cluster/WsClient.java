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
    /** How the server ended the session: a close frame's code and reason, or the error that broke the connection. */
    record Ending(int code, String reason, Throwable error) {
    }

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final java.util.concurrent.CompletableFuture<Ending> ended = new java.util.concurrent.CompletableFuture<>();
    private final WebSocket socket;

    private WsClient(HttpClient http, URI uri, java.util.function.BiConsumer<WsClient, String> onFrame, String credential) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (credential != null) {
            builder.header("Authorization", "Bearer " + credential);
        }
        this.socket = builder.buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String frame = partial.toString();
                    partial.setLength(0);
                    frames.add(frame);
                    if (onFrame != null) {
                        onFrame.accept(WsClient.this, frame);
                    }
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                ended.complete(new Ending(statusCode, reason, null));
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                ended.complete(new Ending(-1, null, error));
            }
        }).join();
    }

    static WsClient open(HttpClient http, String gatewayUrl, String path) {
        return open(http, gatewayUrl, path, null);
    }

    /** A client that calls {@code onFrame} for every text frame as it arrives (on the client's thread). */
    static WsClient open(HttpClient http, String gatewayUrl, String path, java.util.function.BiConsumer<WsClient, String> onFrame) {
        return open(http, gatewayUrl, path, onFrame, TestCluster.ADMIN_KEY);
    }

    /** {@code credential}: the bearer credential of the upgrade (the admin key elsewhere), null for none. */
    static WsClient open(HttpClient http, String gatewayUrl, String path, java.util.function.BiConsumer<WsClient, String> onFrame,
            String credential) {
        return new WsClient(http, URI.create(gatewayUrl.replaceFirst("^http", "ws") + path), onFrame, credential);
    }

    /** How the server ended the session, once it has (null while the session is open). */
    Ending ending() {
        return ended.getNow(null);
    }

    /** Waits for the server to end the session. */
    Ending awaitEnding(Duration timeout) throws Exception {
        return ended.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }



    void send(String frame) {
        synchronized (this) {
            socket.sendText(frame, true).join();
        }
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
