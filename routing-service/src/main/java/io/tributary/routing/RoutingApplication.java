package io.tributary.routing;

import io.tributary.protocol.cluster.LeaderCallConfiguration;
import io.tributary.protocol.cluster.ProtocolConfiguration;
import io.tributary.protocol.lease.RedisKeys;
import io.tributary.protocol.metadata.MetadataConfiguration;
import io.tributary.routing.batch.PartitionBatcher;
import io.tributary.routing.producer.ProducerIds;
import org.springframework.data.redis.core.StringRedisTemplate;
import io.tributary.routing.storage.StorageClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import io.tributary.protocol.blocking.BlockingScheduler;
import reactor.core.scheduler.Scheduler;
import org.springframework.context.annotation.Import;
import reactor.core.scheduler.Schedulers;

/**
 * Routing: resolves where each published message goes (a topic, or an exchange's bindings),
 * picks its partition, coalesces records per partition and sends each batch to that
 * partition's leader. Exchanges and bindings live in Redis; the rest is the coordinator's
 * metadata. Any number of routing instances can run side by side.
 */
@SpringBootApplication
@Import({ProtocolConfiguration.class, MetadataConfiguration.class, LeaderCallConfiguration.class})
@EnableConfigurationProperties(RoutingProperties.class)
public class RoutingApplication {

    public static void main(String[] args) {
        SpringApplication.run(RoutingApplication.class, args);
    }

    @Bean
    RedisKeys redisKeys(@Value("${tributary.redis.key-prefix:trib:}") String prefix) {
        return new RedisKeys(prefix);
    }

    /** Where exchange administration blocks on Redis: bounded, and never interrupted when a caller cancels. */
    @Bean(destroyMethod = "dispose")
    Scheduler redisScheduler() {
        return new BlockingScheduler(16, 10_000, "redis");
    }

    /**
     * This instance's producer ids for idempotent appends: a number taken once from Redis at
     * start, unique across every routing instance that ever ran (see {@link ProducerIds}).
     */
    @Bean
    ProducerIds producerIds(StringRedisTemplate redis, RedisKeys keys) {
        Long instance = redis.opsForValue().increment(keys.producerInstances());
        return new ProducerIds(instance == null ? 0 : instance);
    }

    @Bean
    PartitionBatcher partitionBatcher(StorageClient storage, ProducerIds ids, RoutingProperties props, MeterRegistry meters) {
        PartitionBatcher batcher = new PartitionBatcher(storage::append, ids, props.linger(), (int) props.maxBatchBytes().toBytes(),
                Schedulers.parallel());
        // How well lingering coalesces: requests per batch = requests / batches.
        FunctionCounter.builder("tributary.routing.requests", batcher, PartitionBatcher::requestsSent)
                .description("partition appends requested by publishes").register(meters);
        FunctionCounter.builder("tributary.routing.batches", batcher, PartitionBatcher::batchesSent)
                .description("record batches sent to storage leaders").register(meters);
        return batcher;
    }
}
