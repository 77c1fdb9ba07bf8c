package io.tributary.storage;

import io.tributary.protocol.cluster.ProtocolConfiguration;
import io.tributary.protocol.metadata.MetadataConfiguration;
import io.tributary.protocol.lease.RedisKeys;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import io.tributary.protocol.blocking.BlockingScheduler;
import io.tributary.storage.files.FileCache;
import io.tributary.storage.partition.PartitionSettings;
import io.tributary.storage.segment.SegmentConfig;
import reactor.core.scheduler.Scheduler;

/**
 * A storage node: owns the partition logs on its disk, serves appends from routing and
 * fetches from gateways, keeps consumer cursors, and holds a node lease in Redis so the
 * coordinator knows it is alive.
 */
@SpringBootApplication
@Import({ProtocolConfiguration.class, MetadataConfiguration.class})
@EnableConfigurationProperties(StorageProperties.class)
public class StorageApplication {

    public static void main(String[] args) {
        SpringApplication.run(StorageApplication.class, args);
    }

    @Bean
    RedisKeys redisKeys(@Value("${tributary.redis.key-prefix:trib:}") String prefix) {
        return new RedisKeys(prefix);
    }

    /**
     * Where every file operation runs: bounded, so a slow disk queues work instead of spawning
     * threads, and never interrupted (see {@link BlockingScheduler}).
     */
    @Bean(destroyMethod = "dispose")
    Scheduler diskScheduler(StorageProperties props) {
        return new BlockingScheduler(props.diskThreads(), 100_000, "disk");
    }

    @Bean(destroyMethod = "close")
    FileCache fileCache(StorageProperties props) {
        return new FileCache(props.maxOpenFiles());
    }

    @Bean
    PartitionSettings partitionSettings(StorageProperties props, FileCache files, Scheduler diskScheduler) {
        SegmentConfig segments = new SegmentConfig((int) props.segmentBytes().toBytes(), props.segmentAge().toMillis(),
                props.indexIntervalBytes());
        return new PartitionSettings(segments, files, props.dedupWindow().toMillis(), props.dedupMaxIdsPerPartition(), diskScheduler);
    }
}
