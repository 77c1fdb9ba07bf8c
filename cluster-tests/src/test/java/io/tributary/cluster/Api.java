package io.tributary.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small synchronous client for the public API, as any HTTP user would call it. */
public final class Api {
    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final String base;
    private final String key;
    private final HttpClient http;

    /** {@code key}: the bearer credential every request carries (an API key or a JWT), or null for none. */
    Api(String base, String key) {
        this(base, key, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build());
    }

    private Api(String base, String key, HttpClient http) {
        this.base = base;
        this.key = key;
        this.http = http;
    }

    /** The same gateway with another credential (null: anonymous). */
    public Api as(String credential) {
        return new Api(base, credential, http);
    }

    /** The same credential against another gateway. */
    public Api at(String otherBase) {
        return new Api(otherBase, key, http);
    }

    public String key() {
        return key;
    }

    /** {@code b} with this client's Authorization header, for requests built by hand. */
    public HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }

    /** The Authorization header line for a raw HTTP/1.1 request ({@link RawHttp}), or "" for none. */
    public String authorizationLine() {
        return key == null ? "" : "Authorization: Bearer " + key + "\r\n";
    }

    public String base() {
        return base;
    }

    public HttpClient http() {
        return http;
    }

    /** A response with its body, parsed as JSON when it is JSON. */
    public record Response(int status, Map<String, java.util.List<String>> headers, String body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String contentType() {
            return headers.getOrDefault("content-type", java.util.List.of("")).get(0);
        }

        public String problemType() {
            return json().path("type").asString();
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Response put(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
                .PUT(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response post(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public Response postJson(String path, String json) {
        return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    public URI uri(String path) {
        return URI.create(base + path);
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(authorized(request).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a topic and a group subscription on it that starts at the earliest offset. */
    public void topicWithSubscription(String topic, int partitions, String subscription) {
        Response t = put("/api/v1/vhosts/default/topics/" + topic, "{\"partitions\":" + partitions + "}");
        if (t.status() != 201 && t.status() != 200) {
            throw new AssertionError("topic creation failed: " + t);
        }
        if (subscription != null) {
            Response s = put("/api/v1/vhosts/default/topics/" + topic + "/subscriptions/" + subscription,
                    "{\"type\":\"group\",\"startAt\":\"earliest\"}");
            if (s.status() != 201 && s.status() != 200) {
                throw new AssertionError("subscription creation failed: " + s);
            }
        }
    }
}
