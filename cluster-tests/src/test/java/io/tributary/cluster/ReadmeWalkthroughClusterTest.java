package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The README's curl walk-through, run as written against the test cluster: every curl
 * command in its bash blocks is parsed (method, headers, body, URL) and sent, and the
 * answers shown in the README are checked, so the README cannot drift from the API.
 */
class ReadmeWalkthroughClusterTest {

    /** One section of the README (from its heading to the next heading of its level or above), and what its code blocks hold. */
    record ReadmeSection(String text) {
        static ReadmeSection of(String heading) throws java.io.IOException {
            String readme = Files.readString(TestCluster.repoRoot().resolve("README.md"));
            int start = readme.indexOf(heading);
            assertThat(start).as("README has %s", heading).isPositive();
            // Up to the next heading of the same level or above ("### x" ends at "### " or "## ").
            String level = heading.substring(0, heading.indexOf(' ') + 1);
            int end = readme.length();
            for (String h = level; h.length() >= 3; h = h.substring(1)) {
                int next = readme.indexOf("\n" + h, start + heading.length());
                end = next < 0 ? end : Math.min(end, next);
            }
            return new ReadmeSection(readme.substring(start, end));
        }

        /** The commands of its bash blocks, each starting with one of {@code starts} (continuation lines kept). */
        List<String> commands(String... starts) {
            String split = "\\n(?=" + String.join("|", starts) + ")";
            List<String> commands = new ArrayList<>();
            Matcher blocks = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(text);
            while (blocks.find()) {
                for (String cmd : blocks.group(1).split(split)) {
                    if (!cmd.isBlank()) {
                        commands.add(cmd.trim());
                    }
                }
            }
            return commands;
        }

        /** The contents of its json blocks: the answers the README shows. */
        List<String> json() {
            List<String> shown = new ArrayList<>();
            Matcher json = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(text);
            while (json.find()) {
                shown.add(json.group(1).trim());
            }
            return shown;
        }
    }

    /** A curl command line, as far as the README uses curl. */
    record Curl(String method, String url, List<String[]> headers, String body, boolean stream) {
        static Curl parse(String command) {
            List<String> words = shellWords(command);
            String method = null;
            String url = null;
            String body = null;
            boolean stream = false;
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < words.size(); i++) {
                String w = words.get(i);
                switch (w) {
                    case "-s" -> { }
                    case "-N" -> stream = true;
                    case "-X" -> method = words.get(++i);
                    case "-H" -> {
                        String h = words.get(++i);
                        int colon = h.indexOf(':');
                        headers.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
                    }
                    case "-d" -> body = words.get(++i);
                    default -> {
                        assertThat(w).as("an option this test does not know: " + w).doesNotStartWith("-");
                        url = w;
                    }
                }
            }
            if (method == null) {
                method = body == null ? "GET" : "POST";
            }
            return new Curl(method, url, headers, body, stream);
        }

        /** Sends it to {@code uri} (its URL with the test gateway's address) as curl would. */
        java.net.http.HttpResponse<String> send(java.net.http.HttpClient http, URI uri) throws java.io.IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(h -> b.header(h[0], h[1]));
            return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        }

        /** The credential of its Authorization header, or null: the gateway then answers 401. */
        String bearer() {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase("Authorization") && h[1].startsWith("Bearer "))
                    .map(h -> h[1].substring("Bearer ".length())).findFirst().orElse(null);
        }

        /** What the README's commands read the admin key with; the shell would run it, this test substitutes the key. */
        static final String ADMIN_KEY_COMMAND = "$(cat .tributary/admin.key)";

        /**
         * Splits like a POSIX shell for what the README uses: single quotes, double quotes (in
         * which only {@link #ADMIN_KEY_COMMAND} is expanded) and backslash-newline.
         */
        static List<String> shellWords(String s) {
            List<String> words = new ArrayList<>();
            StringBuilder cur = null;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\'') {
                    int end = s.indexOf('\'', i + 1);
                    cur = cur == null ? new StringBuilder() : cur;
                    cur.append(s, i + 1, end);
                    i = end;
                } else if (c == '"') {
                    int end = s.indexOf('"', i + 1);
                    cur = cur == null ? new StringBuilder() : cur;
                    String quoted = s.substring(i + 1, end).replace(ADMIN_KEY_COMMAND, TestCluster.ADMIN_KEY);
                    assertThat(quoted).as("a shell expansion this test does not make").doesNotContain("$");
                    cur.append(quoted);
                    i = end;
                } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                } else if (Character.isWhitespace(c)) {
                    if (cur != null) {
                        words.add(cur.toString());
                        cur = null;
                    }
                } else {
                    cur = cur == null ? new StringBuilder() : cur;
                    cur.append(c);
                }
            }
            if (cur != null) {
                words.add(cur.toString());
            }
            return words;
        }
    }

    @Test
    void theWalkThroughWorksAsWritten() throws Exception {
        TestCluster cluster = TestCluster.get();
        ReadmeSection readme = ReadmeSection.of("## Walk-through");
        String section = readme.text();
        List<String> commands = readme.commands("curl ");
        List<String> shownJson = readme.json();
        assertThat(commands).hasSizeGreaterThanOrEqualTo(6);

        String gateway = cluster.api().base();
        List<String> answers = new ArrayList<>();
        java.util.Map<String, List<String>> byIdempotencyKey = new java.util.HashMap<>();
        List<SseClient.Event> events = List.of();
        for (String command : commands) {
            Curl curl = Curl.parse(command);
            URI uri = URI.create(("http://" + curl.url()).replace("http://localhost:8080", gateway));
            if (curl.stream()) {
                try (SseClient sse = SseClient.open(cluster.api().http(), uri, null, curl.bearer())) {
                    events = sse.take(3, Duration.ofSeconds(30));
                }
                continue;
            }
            var response = curl.send(cluster.api().http(), uri);
            answers.add(response.statusCode() + " " + response.body());
            curl.headers().stream().filter(h -> h[0].equalsIgnoreCase("Idempotency-Key")).forEach(h ->
                    byIdempotencyKey.computeIfAbsent(h[1], k -> new ArrayList<>()).add(response.statusCode() + " " + response.body()));
        }
        // The retries the README shows with one Idempotency-Key all got the first answer.
        assertThat(byIdempotencyKey).isNotEmpty();
        byIdempotencyKey.forEach((key, same) -> assertThat(same).as("answers to Idempotency-Key " + key).hasSizeGreaterThan(1)
                .allSatisfy(a -> assertThat(a).isEqualTo(same.get(0))));

        // Every answer the README shows is exactly what the cluster said.
        assertThat(shownJson).hasSizeGreaterThanOrEqualTo(3);
        for (String shown : shownJson) {
            JsonNode expected = Api.JSON.readTree(shown);
            assertThat(answers).as("an answer equal to " + shown)
                    .anySatisfy(a -> assertThat(Api.JSON.readTree(a.substring(4))).isEqualTo(expected));
        }
        assertThat(answers).anySatisfy(a -> assertThat(a).startsWith("404 "));
        // The SSE stream shows the three messages; the first event of partition 0 is the one the README shows.
        assertThat(events).hasSize(3);
        JsonNode first = events.stream().map(e -> Api.JSON.readTree(e.data()))
                .filter(d -> d.get("id").asString().equals("0-0")).findFirst().orElseThrow();
        assertThat(first.get("key").asString()).isEqualTo("alice");
        assertThat(first.get("payload")).isEqualTo(Api.JSON.readTree("{\"item\":\"book\",\"qty\":1}"));
        assertThat(section).contains("data:" + "{\"id\":\"0-0\",\"topic\":\"orders\",\"partition\":0,\"offset\":0");
        answers.forEach(a -> assertThat(a).matches("^(200|201|404) .*"));
    }
}
