package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Swagger UI is served, and the OpenAPI document covers every public endpoint with examples. */
class ApiDocsClusterTest {

    @Test
    void everyPublicEndpointIsDocumentedWithExamples() {
        Api api = TestCluster.get().api();
        assertThat(api.get("/swagger-ui/index.html").status()).isEqualTo(200);
        JsonNode doc = api.get("/v3/api-docs").json();
        JsonNode paths = doc.get("paths");
        Map<String, List<String>> expected = Map.ofEntries(
                Map.entry("/api/v1/vhosts/{vhost}", List.of("put")),
                Map.entry("/api/v1/vhosts/{vhost}/topics", List.of("get")),
                Map.entry("/api/v1/vhosts/{vhost}/topics/{topic}", List.of("put", "get", "delete")),
                Map.entry("/api/v1/vhosts/{vhost}/topics/{topic}/messages", List.of("post", "get")),
                Map.entry("/api/v1/vhosts/{vhost}/topics/{topic}/partitions/{partition}/messages", List.of("get")),
                Map.entry("/api/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}", List.of("put", "get")),
                Map.entry("/api/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}/events", List.of("get")),
                Map.entry("/ws/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}", List.of("get")),
                Map.entry("/api/v1/cluster", List.of("get")),
                Map.entry("/api/v1/cluster/reassignments", List.of("get", "post")),
                Map.entry("/api/v1/cluster/reassignments/{vhost}/{topic}/{partition}", List.of("delete")),
                Map.entry("/api/v1/cluster/rebalance", List.of("post")),
                Map.entry("/api/v1/cluster/nodes/{node}/drain", List.of("post")),
                Map.entry("/api/v1/vhosts/{vhost}/exchanges", List.of("get")),
                Map.entry("/api/v1/vhosts/{vhost}/exchanges/{exchange}", List.of("put", "get", "delete")),
                Map.entry("/api/v1/vhosts/{vhost}/exchanges/{exchange}/bindings", List.of("post", "get")),
                Map.entry("/api/v1/vhosts/{vhost}/exchanges/{exchange}/bindings/{id}", List.of("get", "delete")),
                Map.entry("/api/v1/vhosts/{vhost}/exchanges/{exchange}/messages", List.of("post")),
                Map.entry("/api/v1/users/{user}", List.of("put", "get", "delete")),
                Map.entry("/api/v1/users/{user}/api-keys", List.of("post")),
                Map.entry("/api/v1/users/{user}/api-keys/{id}", List.of("delete")),
                Map.entry("/api/v1/users", List.of("get")),
                Map.entry("/api/v1/whoami", List.of("get")),
                Map.entry("/api/v1/vhosts/{vhost}/permissions/{user}", List.of("put", "get", "delete")),
                Map.entry("/api/v1/vhosts/{vhost}/permissions", List.of("get")),
                Map.entry("/api/v1/vhosts/{vhost}/limits", List.of("put", "get", "delete")));
        List<String> withoutExamples = new ArrayList<>();
        expected.forEach((path, methods) -> {
            assertThat(paths.has(path)).as("documented: " + path).isTrue();
            for (String m : methods) {
                JsonNode op = paths.get(path).get(m);
                assertThat(op).as(m + " " + path).isNotNull();
                if (!op.toString().contains("\"example")) {
                    withoutExamples.add(m + " " + path);
                }
            }
        });
        assertThat(withoutExamples).as("operations without a request or response example").isEmpty();
        // Every operation needs the bearer scheme, and the document itself is readable without a credential.
        assertThat(doc.get("components").get("securitySchemes").get("bearer").get("scheme").asString()).isEqualTo("bearer");
        assertThat(doc.get("security").toString()).contains("bearer");
        assertThat(api.as(null).get("/v3/api-docs").status()).isEqualTo(200);
        assertThat(api.as(null).get("/swagger-ui/index.html").status()).isEqualTo(200);
    }
}
