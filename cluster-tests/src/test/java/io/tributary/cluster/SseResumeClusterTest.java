package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Drop an SSE connection mid-stream; Last-Event-ID resumes with no gap and no repeat. */
class SseResumeClusterTest {
    static Api api;

    @BeforeAll
    static void cluster() {
        api = TestCluster.get().api();
    }

    @Test
    void lastEventIdResumesExactlyAfterTheLastEventSeen() throws Exception {
        api.topicWithSubscription("resume", 3, "r");
        Published published = Published.batch(api, "resume", 600, 30);
        String events = "/api/v1/vhosts/default/topics/resume/subscriptions/r/events";

        List<JsonNode> delivered = new ArrayList<>();
        String lastId;
        try (SseClient first = SseClient.open(api.http(), api.uri(events), null)) {
            List<SseClient.Event> part = first.take(250, Duration.ofSeconds(60));
            part.forEach(e -> delivered.add(Api.JSON.readTree(e.data())));
            lastId = part.get(part.size() - 1).id();
        } // dropped: more events were likely in flight, and positions past them may have been committed

        // Resume twice from the same token: both must continue at the same place.
        for (int attempt = 0; attempt < 2; attempt++) {
            List<JsonNode> rest = new ArrayList<>();
            try (SseClient second = SseClient.open(api.http(), api.uri(events), lastId)) {
                second.take(350, Duration.ofSeconds(60)).forEach(e -> rest.add(Api.JSON.readTree(e.data())));
                assertThat(second.anyWithin(Duration.ofSeconds(2))).as("nothing beyond the 600").isFalse();
            }
            List<JsonNode> all = new ArrayList<>(delivered);
            all.addAll(rest);
            published.assertDeliveredExactlyOnceInOrder(all);
        }
    }

    @Test
    void aForeignLastEventIdIsABadRequest() {
        api.topicWithSubscription("resume-bad", 1, "r");
        var r = api.http();
        Api.Response resp = getWithHeader("/api/v1/vhosts/default/topics/resume-bad/subscriptions/r/events", "Last-Event-ID", "garbage");
        assertThat(resp.status()).isEqualTo(400);
        assertThat(resp.problemType()).isEqualTo("malformed-request");
    }

    static Api.Response getWithHeader(String path, String name, String value) {
        try {
            var resp = api.http().send(api.authorized(java.net.http.HttpRequest.newBuilder(api.uri(path))).header(name, value).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Api.Response(resp.statusCode(), resp.headers().map(), resp.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
