package io.tributary.coordinator;

import io.tributary.protocol.cluster.ProtocolConfiguration;
import io.tributary.protocol.lease.RedisKeys;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import io.tributary.protocol.blocking.BlockingScheduler;
import reactor.core.scheduler.Scheduler;
import org.springframework.context.annotation.Import;

/**
 * The controller of a Tributary cluster: the registry of live storage nodes, topic metadata
 * and replica placement, consumer-group membership, and the metadata change stream the other
 * services follow. State lives in Redis; one coordinator is active at a time (a Redis lease).
 */
@SpringBootApplication
@Import(ProtocolConfiguration.class)
@EnableConfigurationProperties(CoordinatorProperties.class)
public class CoordinatorApplication {

    public static void main(String[] args) {
        SpringApplication.run(CoordinatorApplication.class, args);
    }

    @Bean
    RedisKeys redisKeys(@Value("${tributary.redis.key-prefix:trib:}") String prefix) {
        return new RedisKeys(prefix);
    }

    /** Where controller actions block on Redis: bounded, and never interrupted when a caller cancels. */
    @Bean(destroyMethod = "dispose")
    Scheduler redisScheduler() {
        return new BlockingScheduler(32, 10_000, "redis");
    }
}
