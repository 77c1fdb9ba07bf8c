package io.tributary.routing.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.admin.ExchangeInfo;
import io.tributary.protocol.metadata.ClusterMetadata;
import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.TopicInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExchangeRouterTest {
    static MetadataSnapshot topics(String... names) {
        List<TopicInfo> ts = new ArrayList<>();
        for (String n : names) {
            ts.add(new TopicInfo("v", n, n + "-id", 1, 1, -1, -1, "replicated", 0, List.of()));
        }
        return new MetadataSnapshot(new ClusterMetadata(1, "c", 1, List.of(), List.of("v"), ts, List.of()));
    }

    static ExchangeInfo ex(String name, String type, String alternate) {
        return new ExchangeInfo("v", name, type, alternate, 0);
    }

    static BindingInfo bind(String source, String dest, String destType, String key) {
        return new BindingInfo(source + dest + key, "v", source, dest, destType, key, null);
    }

    static Set<String> route(RoutingTable t, MetadataSnapshot m, String exchange, String key) {
        return ExchangeRouter.route(t, m, "v", exchange, key, Map::of);
    }

    @Test
    void exchangeToExchangeChainsAndAlternatesAndCycles() {
        RoutingTable t = RoutingTable.compile(1,
                List.of(ex("front", "topic", "lost"), ex("eu", "direct", null), ex("lost", "fanout", null), ex("loop", "fanout", null)),
                List.of(bind("front", "eu", BindingInfo.EXCHANGE, "eu.#"),
                        bind("front", "audit", BindingInfo.TOPIC, "#"),
                        bind("eu", "orders-eu", BindingInfo.TOPIC, "eu.orders"),
                        bind("eu", "front", BindingInfo.EXCHANGE, "eu.orders"), // a cycle back to front
                        bind("lost", "dead", BindingInfo.TOPIC, null),
                        bind("loop", "loop", BindingInfo.EXCHANGE, null)));
        MetadataSnapshot m = topics("audit", "orders-eu", "dead");
        assertThat(route(t, m, "front", "eu.orders")).containsExactlyInAnyOrder("orders-eu", "audit");
        assertThat(route(t, m, "eu", "us.orders")).as("direct with no match and no alternate").isEmpty();
        assertThat(route(t, m, "loop", "x")).as("a cycle ends").isEmpty();
    }

    @Test
    void theAlternateExchangeTakesWhatNothingMatched() {
        RoutingTable t = RoutingTable.compile(1, List.of(ex("d", "direct", "ae"), ex("ae", "fanout", null)),
                List.of(bind("d", "known", BindingInfo.TOPIC, "k"), bind("ae", "unrouted", BindingInfo.TOPIC, null)));
        MetadataSnapshot m = topics("known", "unrouted");
        assertThat(route(t, m, "d", "k")).containsExactly("known");
        assertThat(route(t, m, "d", "other")).containsExactly("unrouted");
    }

    @Test
    void bindingsToDeletedTopicsLeadNowhere() {
        RoutingTable t = RoutingTable.compile(1, List.of(ex("d", "direct", "ae"), ex("ae", "fanout", null)),
                List.of(bind("d", "gone", BindingInfo.TOPIC, "k"), bind("ae", "unrouted", BindingInfo.TOPIC, null)));
        assertThat(route(t, topics("unrouted"), "d", "k")).as("the only match is gone: the alternate takes it").containsExactly("unrouted");
    }

    @Test
    void theDefaultExchangeRoutesByTopicName() {
        RoutingTable t = RoutingTable.compile(1, List.of(), List.of());
        MetadataSnapshot m = topics("orders");
        assertThat(route(t, m, ExchangeRouter.DEFAULT_EXCHANGE, "orders")).containsExactly("orders");
        assertThat(route(t, m, ExchangeRouter.DEFAULT_EXCHANGE, "nope")).isEmpty();
    }
}
