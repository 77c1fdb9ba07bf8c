package io.tributary.protocol.cluster;

import io.tributary.protocol.problem.ProblemRelay;
import java.time.Duration;
import java.util.Map;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * WebClients for calls to other Tributary services: each carries the cluster token and turns
 * error answers back into {@link io.tributary.protocol.problem.TributaryException}s. One
 * client per base URL, all sharing Reactor Netty's pooled connections.
 */
public class InternalWebClients {
    /** Fetch responses carry whole batches; allow them (bounded by storage's maxBytes). */
    private static final int MAX_IN_MEMORY = 64 * 1024 * 1024;

    private final WebClient.Builder builder;
    private final ClusterToken token;
    private final JsonMapper json;
    private final Map<String, WebClient> clients = new ConcurrentHashMap<>();

    public InternalWebClients(WebClient.Builder builder, ClusterToken token, JsonMapper json) {
        // One pool for all internal calls, sized for fan-in: every publish and every consumer's
        // long-poll fetch holds a connection, so the defaults (a few per host, a short pending
        // queue) would turn load into "pending acquire" errors.
        ConnectionProvider pool = ConnectionProvider.builder("tributary-internal")
                .maxConnections(1024)
                .pendingAcquireMaxCount(10_000)
                .pendingAcquireTimeout(Duration.ofSeconds(10))
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
        this.builder = builder.clone().clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)));
        this.token = token;
        this.json = json;
    }

    public WebClient forUrl(String baseUrl) {
        return clients.computeIfAbsent(baseUrl, url -> builder.clone()
                .baseUrl(url)
                .defaultHeader(ClusterToken.HEADER, token.value())
                .codecs(c -> c.defaultCodecs().maxInMemorySize(MAX_IN_MEMORY))
                .filter(ProblemRelay.filter(json))
                .build());
    }
}
