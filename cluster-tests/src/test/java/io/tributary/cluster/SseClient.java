package io.tributary.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Reads Server-Sent Events the way a browser's EventSource does: id, event and data lines, blank line ends an event. */
final class SseClient implements AutoCloseable {
    record Event(String id, String event, String data) {
    }

    private final InputStream body;
    private final BufferedReader reader;
    /** Reads block; they get their own thread (the common pool has one worker on two cores). */
    private final java.util.concurrent.ExecutorService readerThread = java.util.concurrent.Executors.newSingleThreadExecutor();
    final int status;

    private SseClient(HttpResponse<InputStream> response) {
        this.status = response.statusCode();
        this.body = response.body();
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    static SseClient open(HttpClient http, URI uri, String lastEventId) throws IOException, InterruptedException {
        return open(http, uri, lastEventId, TestCluster.ADMIN_KEY);
    }

    /** {@code credential}: the bearer credential (the admin key elsewhere), null for none. */
    static SseClient open(HttpClient http, URI uri, String lastEventId, String credential) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("accept", "text/event-stream").GET();
        if (credential != null) {
            b.header("Authorization", "Bearer " + credential);
        }
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return new SseClient(http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    /** The next {@code n} message events; fails if they do not all arrive within {@code timeout}, or the stream ends first. */
    List<Event> take(int n, Duration timeout) throws Exception {
        return take(n, timeout, "message"::equals);
    }

    /** The next {@code n} named events of any kind but {@code error} (message, retention, ...). */
    List<Event> takeEvents(int n, Duration timeout) throws Exception {
        return take(n, timeout, name -> name != null);
    }

    private List<Event> take(int n, Duration timeout, java.util.function.Predicate<String> wanted) throws Exception {
        CompletableFuture<List<Event>> f = CompletableFuture.supplyAsync(() -> {
            List<Event> events = new ArrayList<>();
            try {
                while (events.size() < n) {
                    Event e = next();
                    if (e == null) {
                        throw new IllegalStateException("the stream ended after " + events.size() + " of " + n + " events");
                    }
                    if ("error".equals(e.event())) {
                        throw new IllegalStateException("error event: " + e.data());
                    } else if (wanted.test(e.event())) {
                        events.add(e);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return events;
        }, readerThread);
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close();
            throw new AssertionError("fewer than " + n + " SSE events within " + timeout);
        }
    }

    /** Whether any message event arrives within {@code wait}. */
    boolean anyWithin(Duration wait) throws Exception {
        try {
            return !take(1, wait).isEmpty();
        } catch (AssertionError none) {
            return false;
        }
    }

    private Event next() throws IOException {
        String id = null;
        String event = null;
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null || id != null || event != null) {
                    return new Event(id, event == null ? "message" : event, data == null ? null : data.toString());
                }
                continue;
            }
            if (line.startsWith(":")) {
                continue; // comment (keepalive)
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "id" -> id = value;
                case "event" -> event = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { }
            }
        }
        return null;
    }

    @Override
    public void close() {
        readerThread.shutdownNow();
        try {
            body.close();
        } catch (IOException ignored) {
            // closing a stream we are abandoning
        }
    }
}
