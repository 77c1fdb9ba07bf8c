package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The README's Security section, run as written: users, keys and permissions made with the
 * admin key ({@code $K}), the new user's key ({@code trb_...}, {@code <id>}: what the API just
 * answered) used and revoked, a vhost with limits. The TLS command is TlsClusterTest's.
 */
class ReadmeSecurityClusterTest {
    @Test
    void theSecuritySectionWorksAsWritten() throws Exception {
        TestCluster cluster = TestCluster.get();
        ReadmeWalkthroughClusterTest.ReadmeSection readme = ReadmeWalkthroughClusterTest.ReadmeSection.of("## Security");
        List<String> commands = readme.commands("curl ", "K=");
        assertThat(commands).anySatisfy(c -> assertThat(c).startsWith("K=\"Authorization: Bearer " + ReadmeWalkthroughClusterTest.Curl.ADMIN_KEY_COMMAND));
        String key = null;
        String id = null;
        List<String> answers = new ArrayList<>();
        int run = 0;
        for (String command : commands) {
            if (!command.startsWith("curl ") || command.contains("--cacert")) {
                continue;
            }
            String c = command.replaceAll("(?m)\\s{2,}#.*$", "").replace("\"$K\"", "'Authorization: Bearer " + TestCluster.ADMIN_KEY + "'");
            if (key != null) {
                c = c.replace("trb_...", key).replace("<id>", id);
            }
            ReadmeWalkthroughClusterTest.Curl curl = ReadmeWalkthroughClusterTest.Curl.parse(c);
            URI uri = URI.create(("http://" + curl.url()).replace("http://localhost:8080", cluster.api().base()));
            HttpResponse<String> r = curl.send(cluster.api().http(), uri);
            answers.add(curl.method() + " " + uri.getPath() + " -> " + r.statusCode() + " " + r.body());
            assertThat(r.statusCode()).as(answers.get(answers.size() - 1)).isBetween(200, 299);
            if (curl.method().equals("POST") && uri.getPath().endsWith("/api-keys")) {
                JsonNode made = Api.JSON.readTree(r.body());
                key = made.get("key").asString();
                id = made.get("id").asString();
            }
            if (uri.getPath().endsWith("/whoami")) {
                JsonNode me = Api.JSON.readTree(r.body());
                assertThat(me.get("user").asString()).isEqualTo("alice");
                assertThat(me.get("permissions").get("default").get("write").asString()).isEqualTo("orders");
            }
            run++;
        }
        assertThat(run).as("commands run").isGreaterThanOrEqualTo(7);
        assertThat(key).isNotNull();
        // The last key command revoked alice's key: it is refused now.
        assertThat(cluster.api().as(key).get("/api/v1/whoami").status()).isEqualTo(401);
        assertThat(cluster.api().get("/api/v1/vhosts/tenant-a/limits").json().get("publishRequestsPerSecond").asLong()).isEqualTo(500);
    }
}
