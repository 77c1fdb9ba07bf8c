package io.tributary.protocol.metadata;

import io.tributary.protocol.cluster.InternalWebClients;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * For services that follow the coordinator's metadata (storage, routing, gateway): the
 * watcher, and a readiness indicator named {@code metadata} that is up once it has loaded.
 */
@Configuration(proxyBeanMethods = false)
public class MetadataConfiguration {

    @Bean
    public MetadataWatcher metadataWatcher(InternalWebClients clients, @Value("${tributary.coordinator.url}") String url) {
        return new MetadataWatcher(clients.forUrl(url));
    }

    @Bean("metadata")
    public MetadataHealthIndicator metadataHealthIndicator(MetadataWatcher metadata) {
        return new MetadataHealthIndicator(metadata);
    }
}
