package io.tributary.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClusterLayoutTest {
    @Test
    void wiresEveryServiceToTheOthers() {
        ClusterLayout layout = ClusterLayout.of(ClusterLayout.defaults("h", 8080, 3, "redis://r:1", "tok", "p:", Path.of("/d")));
        assertThat(layout.services()).extracting(ServiceSpec::name)
                .containsExactly("coordinator-1", "coordinator-2", "storage-1", "storage-2", "storage-3", "routing", "gateway");
        assertThat(layout.storageNodes()).extracting(ServiceSpec::port).containsExactly(7091, 7092, 7093);
        assertThat(layout.coordinators()).extracting(ServiceSpec::port).containsExactly(7070, 7071);
        assertThat(layout.service("coordinator-2").env()).containsEntry(ClusterLayout.COORDINATOR_ID, "coordinator-2");
        for (ServiceSpec s : layout.services()) {
            assertThat(s.env()).containsEntry(ClusterLayout.SERVER_PORT, Integer.toString(s.port()))
                    .containsEntry(ClusterLayout.CLUSTER_TOKEN, "tok");
        }
        ServiceSpec storage2 = layout.service("storage-2");
        assertThat(storage2.env()).containsEntry(ClusterLayout.NODE_ID, "storage-2")
                .containsEntry(ClusterLayout.ADVERTISED_URL, "http://h:7092")
                .containsEntry(ClusterLayout.COORDINATOR_URL, "http://h:7070,http://h:7071")
                .containsEntry(ClusterLayout.REDIS_URL, "redis://r:1");
        assertThat(Path.of(storage2.env().get(ClusterLayout.DATA_DIR))).isEqualTo(Path.of("/d/storage-2").toAbsolutePath());
        assertThat(layout.service("gateway").env()).containsEntry(ClusterLayout.ROUTING_URL, "http://h:7080");
        assertThat(layout.gatewayUrl()).isEqualTo("http://h:8080");
        assertThat(layout.service("routing").env()).containsEntry(ClusterLayout.REDIS_URL, "redis://r:1")
                .containsEntry(ClusterLayout.KEY_PREFIX, "p:").containsEntry(ClusterLayout.COORDINATOR_URL, "http://h:7070,http://h:7071");
        assertThat(layout.service("gateway").env()).containsEntry(ClusterLayout.REDIS_URL, "redis://r:1")
                .containsEntry(ClusterLayout.KEY_PREFIX, "p:").containsEntry(ClusterLayout.COORDINATOR_URL, "http://h:7070,http://h:7071");
    }

    @Test
    void withEnvChangesOneVariableOfOneService() {
        ClusterLayout layout = ClusterLayout.of(ClusterLayout.defaults("h", 8080, 3, "redis://r:1", "tok", "p:", Path.of("/d")))
                .withEnv("storage-3", ClusterLayout.ADVERTISED_URL, "http://h:9999");
        assertThat(layout.service("storage-3").env()).containsEntry(ClusterLayout.ADVERTISED_URL, "http://h:9999")
                .containsEntry(ClusterLayout.NODE_ID, "storage-3");
        assertThat(layout.service("storage-2").env()).containsEntry(ClusterLayout.ADVERTISED_URL, "http://h:7092");
    }
}
