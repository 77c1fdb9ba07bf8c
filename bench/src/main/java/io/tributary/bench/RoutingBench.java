package io.tributary.bench;

import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.admin.ExchangeInfo;
import io.tributary.protocol.metadata.ClusterMetadata;
import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.TopicInfo;
import io.tributary.routing.binding.TopicTrie;
import io.tributary.routing.exchange.ExchangeRouter;
import io.tributary.routing.exchange.RoutingTable;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Routing: (1) matching with 100,000 topic-exchange bindings, in process; (2) publish
 * throughput through the real cluster (separate processes, HTTP), to a topic directly and
 * through a direct exchange bound to it, and their ratio.
 */
final class RoutingBench {
    private static final String[] REGIONS = words("region", 50);
    private static final String[] SERVICES = words("svc", 40);
    private static final String[] EVENTS = words("event", 50);

    private final Path data;
    private final boolean quick;
    private final Random random = new Random(7);

    RoutingBench(Path data, boolean quick) {
        this.data = data;
        this.quick = quick;
    }

    void run() throws Exception {
        System.out.printf("Routing benchmark (%s), %d cores, Java %s%n", quick ? "quick" : "full",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        matching(100_000);
        endToEnd();
    }

    private static String[] words(String prefix, int n) {
        String[] w = new String[n];
        for (int i = 0; i < n; i++) {
            w[i] = prefix + i;
        }
        return w;
    }

    private String pick(String[] words) {
        return words[random.nextInt(words.length)];
    }

    /** 70% exact three-word patterns, 20% with a '*', 10% ending in '#': like per-service subscriptions. */
    private String pattern() {
        int kind = random.nextInt(10);
        if (kind < 7) {
            return pick(REGIONS) + "." + pick(SERVICES) + "." + pick(EVENTS);
        }
        if (kind < 9) {
            return pick(REGIONS) + ".*." + pick(EVENTS);
        }
        return pick(REGIONS) + "." + pick(SERVICES) + ".#";
    }

    private void matching(int count) {
        Report.section(String.format("Topic exchange with %,d bindings (in process)", count));
        List<BindingInfo> bindings = new ArrayList<>(count);
        List<TopicInfo> topics = new ArrayList<>();
        for (int t = 0; t < 100; t++) {
            topics.add(new TopicInfo("v", "t" + t, "id" + t, 1, 1, -1, -1, "replicated", 0, List.of()));
        }
        for (int i = 0; i < count; i++) {
            bindings.add(new BindingInfo("b" + i, "v", "x", "t" + random.nextInt(100), BindingInfo.TOPIC, pattern(), null));
        }
        long t0 = System.nanoTime();
        RoutingTable table = RoutingTable.compile(1, List.of(new ExchangeInfo("v", "x", "topic", null, 0)), bindings);
        long buildNs = System.nanoTime() - t0;
        MetadataSnapshot metadata = new MetadataSnapshot(new ClusterMetadata(1, "c", 1, List.of(), List.of("v"), topics, List.of()));
        TopicTrie trie = new TopicTrie(bindings);
        int keys = quick ? 200_000 : 1_000_000;
        String[] routingKeys = new String[4096];
        for (int i = 0; i < routingKeys.length; i++) {
            routingKeys[i] = pick(REGIONS) + "." + pick(SERVICES) + "." + pick(EVENTS);
        }
        for (int i = 0; i < 200_000; i++) { // warm up
            trie.match(routingKeys[i % routingKeys.length], Map::of);
        }
        long matched = 0;
        long t1 = System.nanoTime();
        for (int i = 0; i < keys; i++) {
            matched += trie.match(routingKeys[i % routingKeys.length], Map::of).size();
        }
        long matchNs = System.nanoTime() - t1;
        long topicsRouted = 0;
        long t2 = System.nanoTime();
        for (int i = 0; i < keys; i++) {
            topicsRouted += ExchangeRouter.route(table, metadata, "v", "x", routingKeys[i % routingKeys.length], Map::of).size();
        }
        long routeNs = System.nanoTime() - t2;
        Report.row("compile the routing table", String.format("%.0f ms", buildNs / 1e6));
        Report.row("match a routing key (trie only)", String.format("%.2f µs/key, %.1f bindings matched on average",
                matchNs / 1e3 / keys, (double) matched / keys));
        Report.row("route a message (trie + dedupe into topics)", String.format("%.2f µs/message, %.1f topics on average, %s",
                routeNs / 1e3 / keys, (double) topicsRouted / keys, Report.perSecond(keys, routeNs, "messages")));
    }

    private void endToEnd() throws Exception {
        Report.section("Publish through the cluster (6 processes on this machine, HTTP, acks=all)");
        try (BenchCluster cluster = BenchCluster.start(data, 1)) {
            String gw = cluster.vhostUrl();
            HttpClient http = HttpLoad.client();
            HttpLoad.send(http, "PUT", gw + "/topics/bench", "{\"partitions\":3,\"replicationFactor\":1}");
            HttpLoad.send(http, "PUT", gw + "/exchanges/bench-x", "{\"type\":\"direct\"}");
            HttpLoad.send(http, "POST", gw + "/exchanges/bench-x/bindings", "{\"destination\":\"bench\",\"routingKey\":\"k\"}");
            int perRequest = 100;
            String payload = "x".repeat(100);
            String direct = body(perRequest, payload, false);
            String viaExchange = body(perRequest, payload, true);
            // Six fresh JVMs share two cores with this one: warm every path up first, then
            // alternate the two kinds of publish so that drift affects both alike.
            Duration warm = Duration.ofSeconds(quick ? 20 : 90);
            Duration run = Duration.ofSeconds(quick ? 8 : 10);
            HttpLoad.requestsPerSecond(http, gw + "/topics/bench/messages", direct, warm.dividedBy(2), 16);
            HttpLoad.requestsPerSecond(http, gw + "/exchanges/bench-x/messages", viaExchange, warm.dividedBy(2), 16);
            List<Double> topicRates = new ArrayList<>();
            List<Double> exchangeRates = new ArrayList<>();
            for (int round = 0; round < (quick ? 3 : 5); round++) {
                topicRates.add(HttpLoad.requestsPerSecond(http, gw + "/topics/bench/messages", direct, run, 16) * perRequest);
                exchangeRates.add(HttpLoad.requestsPerSecond(http, gw + "/exchanges/bench-x/messages", viaExchange, run, 16) * perRequest);
            }
            double topicRate = HttpLoad.median(topicRates);
            double exchangeRate = HttpLoad.median(exchangeRates);
            Report.row("to the topic (100 x 100-byte messages per request, 16 in flight)",
                    String.format("%,.0f messages/s (median of %s)", topicRate, HttpLoad.rounded(topicRates)));
            Report.row("through a direct exchange bound to it", String.format("%,.0f messages/s (median of %s)",
                    exchangeRate, HttpLoad.rounded(exchangeRates)));
            Report.row("exchange / topic", Report.ratio(exchangeRate, topicRate));
        }
    }

    private static String body(int n, String payload, boolean routingKey) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{");
            if (routingKey) {
                b.append("\"routingKey\":\"k\",");
            }
            b.append("\"key\":\"key-").append(i).append("\",\"payload\":\"").append(payload).append("\"}");
        }
        return b.append("]").toString();
    }
}
