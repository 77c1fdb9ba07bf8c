package io.tributary.routing;

import io.tributary.protocol.cluster.ProtocolConfiguration;
import io.tributary.protocol.metadata.MetadataConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Routing: resolves where each published message goes, picks its partition, groups messages
 * into one batch per partition and sends each batch to that partition's leader. Stateless
 * apart from its copy of the cluster metadata.
 */
@SpringBootApplication
@Import({ProtocolConfiguration.class, MetadataConfiguration.class})
@EnableConfigurationProperties(RoutingProperties.class)
public class RoutingApplication {

    public static void main(String[] args) {
        SpringApplication.run(RoutingApplication.class, args);
    }
}
