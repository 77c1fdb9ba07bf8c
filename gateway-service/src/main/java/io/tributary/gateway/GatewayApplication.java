package io.tributary.gateway;

import io.tributary.protocol.cluster.LeaderCallConfiguration;
import io.tributary.protocol.cluster.ProtocolConfiguration;
import io.tributary.protocol.metadata.MetadataConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import io.tributary.protocol.lease.RedisKeys;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Import;

/**
 * The gateway: Tributary's only public door. Publish and admin over REST, consumption over
 * Server-Sent Events and WebSocket, Swagger UI. Stateless: it forwards publishes to routing,
 * admin changes to the coordinator, and reads partitions from their storage leaders.
 */
@SpringBootApplication
@Import({ProtocolConfiguration.class, MetadataConfiguration.class, LeaderCallConfiguration.class})
@EnableConfigurationProperties(GatewayProperties.class)
public class GatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(GatewayApplication.class, args);
    }

    @Bean
    RedisKeys redisKeys(@Value("${tributary.redis.key-prefix:trib:}") String prefix) {
        return new RedisKeys(prefix);
    }
}
