package io.tributary.routing;

import io.tributary.protocol.cluster.InternalWebClients;
import io.tributary.protocol.cluster.ProtocolConfiguration;
import io.tributary.protocol.metadata.MetadataHealthIndicator;
import io.tributary.protocol.metadata.MetadataWatcher;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Routing: resolves where each published message goes, picks its partition, groups messages
 * into one batch per partition and sends each batch to that partition's leader. Stateless
 * apart from its copy of the cluster metadata.
 */
@SpringBootApplication
@Import(ProtocolConfiguration.class)
@EnableConfigurationProperties(RoutingProperties.class)
public class RoutingApplication {

    public static void main(String[] args) {
        SpringApplication.run(RoutingApplication.class, args);
    }

    @Bean("metadata")
    MetadataHealthIndicator metadataHealthIndicator(MetadataWatcher metadata) {
        return new MetadataHealthIndicator(metadata);
    }

    @Bean
    MetadataWatcher metadataWatcher(InternalWebClients clients, @Value("${tributary.coordinator.url}") String url) {
        return new MetadataWatcher(clients.forUrl(url));
    }
}
