package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The README's "Kill a node and keep publishing" section, run as written against the test
 * cluster: its curl commands are sent ({@link ReadmeWalkthroughClusterTest.Curl} parses them),
 * {@code bin/tributary kill NAME} kills that process with SIGKILL, and {@code bin/tributary up}
 * starts what is not running and waits until it is ready, as the launcher does. The answer
 * the README shows must be what the cluster said, and both messages must be readable at the end.
 */
class ReadmeReplicationClusterTest {

    @Test
    void theKillANodeWalkThroughWorksAsWritten() throws Exception {
        TestCluster cluster = TestCluster.get();
        ReadmeWalkthroughClusterTest.ReadmeSection readme = ReadmeWalkthroughClusterTest.ReadmeSection.of("### Kill a node and keep publishing");
        List<String> commands = readme.commands("curl ", "bin/tributary ");
        List<String> shownJson = readme.json();
        assertThat(commands).anyMatch(c -> c.startsWith("bin/tributary kill ")).anyMatch(c -> c.equals("bin/tributary up"));

        List<String> answers = new ArrayList<>();
        String killed = null;
        for (String command : commands) {
            if (command.startsWith("bin/tributary kill ")) {
                killed = command.substring("bin/tributary kill ".length()).trim();
                cluster.launcher().kill(killed);
                continue;
            }
            if (command.equals("bin/tributary up")) {
                for (var s : cluster.layout().services()) {
                    var p = cluster.launcher().process(s.name());
                    if (p != null && !p.isAlive()) {
                        cluster.launcher().start(s.name());
                        cluster.launcher().awaitReady(s.name());
                    }
                }
                continue;
            }
            ReadmeWalkthroughClusterTest.Curl curl = ReadmeWalkthroughClusterTest.Curl.parse(command);
            URI uri = URI.create(("http://" + curl.url()).replace("http://localhost:8080", cluster.api().base()));
            HttpResponse<String> response = curl.send(cluster.api().http(), uri);
            answers.add(response.statusCode() + " " + response.body());
        }
        assertThat(killed).isNotNull();
        assertThat(cluster.launcher().isReady(killed)).as("%s is back after bin/tributary up", killed).isTrue();
        answers.forEach(a -> assertThat(a).matches("^(200|201) .*"));
        for (String shown : shownJson) {
            JsonNode expected = Api.JSON.readTree(shown);
            assertThat(answers).as("an answer equal to " + shown)
                    .anySatisfy(a -> assertThat(Api.JSON.readTree(a.substring(4))).isEqualTo(expected));
        }
        JsonNode browsed = Api.JSON.readTree(answers.get(answers.size() - 1).substring(4));
        List<String> ids = new ArrayList<>();
        browsed.get("messages").forEach(m -> ids.add(m.get("messageId").asString()));
        assertThat(ids).containsExactly("pay-1", "pay-2");
    }
}
