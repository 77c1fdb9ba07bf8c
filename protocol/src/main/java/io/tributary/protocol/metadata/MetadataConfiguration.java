package io.tributary.protocol.metadata;

import io.tributary.protocol.cluster.CoordinatorCall;
import io.tributary.protocol.cluster.InternalWebClients;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * For services that follow the coordinator's metadata (storage, routing, gateway): the way
 * they call the active controller among the coordinators, the watcher, and a readiness
 * indicator named {@code metadata} that is up once it has loaded.
 */
@Configuration(proxyBeanMethods = false)
public class MetadataConfiguration {

    @Bean
    public CoordinatorCall coordinatorCall(InternalWebClients clients, @Value("${tributary.coordinator.url}") String urls) {
        return new CoordinatorCall(clients, urls);
    }

    @Bean
    public MetadataWatcher metadataWatcher(CoordinatorCall coordinators) {
        return new MetadataWatcher(coordinators);
    }

    @Bean("metadata")
    public MetadataHealthIndicator metadataHealthIndicator(MetadataWatcher metadata) {
        return new MetadataHealthIndicator(metadata);
    }
}
