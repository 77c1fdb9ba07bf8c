package io.tributary.bench.compare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka 4.4 with kafka-clients: three brokers, replication 3, {@code min.insync.replicas} 2 and
 * {@code acks=all} for T1; one broker flushing every message ({@code log.flush.interval.messages=1})
 * for T2. One producer per publisher (its own connections, as each Tributary publisher has
 * its own), idempotent (Kafka's default), {@code linger.ms} 1; a request is the workload's batch
 * of records, done when all are acknowledged.
 */
final class KafkaPeer implements Peer {
    private final Path dir;
    private final Path classpath;
    private KafkaBrokers brokers;
    private boolean replicated;

    KafkaPeer(Path dir, Path classpath) {
        this.dir = dir;
        this.classpath = classpath;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String setup(Workload w) {
        return w.replicated() ? "3 brokers (KRaft), replication 3, min.insync.replicas 2, acks=all"
                : "1 broker (KRaft), log.flush.interval.messages=1, acks=all";
    }

    @Override
    public void prepare(Workload w, String destination) throws Exception {
        if (brokers == null || replicated != w.replicated()) {
            if (brokers != null) {
                brokers.close();
            }
            replicated = w.replicated();
            brokers = KafkaBrokers.start(dir.resolve((replicated ? "t1-" : "t2-") + System.currentTimeMillis()), classpath,
                    replicated ? 3 : 1, !replicated);
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers.bootstrap()))) {
            NewTopic topic = new NewTopic(destination, w.partitions(), (short) (replicated ? 3 : 1))
                    .configs(Map.of("min.insync.replicas", replicated ? "2" : "1"));
            admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        }
    }

    @Override
    public Publisher publisher(Workload w, String destination) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Math.max(16_384, w.batch() * (w.messageBytes() + 70) / Math.max(1, w.partitions())));
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        byte[] payload = "x".repeat(w.messageBytes()).getBytes();
        return new Publisher() {
            @Override
            public void publish(long first) throws Exception {
                List<Future<RecordMetadata>> acks = new ArrayList<>(w.batch());
                for (int i = 0; i < w.batch(); i++) {
                    acks.add(producer.send(new ProducerRecord<>(destination, w.key(first + i), payload)));
                }
                for (Future<RecordMetadata> a : acks) {
                    a.get(30, TimeUnit.SECONDS);
                }
            }

            @Override
            public void close() {
                producer.close();
            }
        };
    }

    @Override
    public List<Long> serverPids() {
        return brokers == null ? List.of() : brokers.pids();
    }

    @Override
    public void close() {
        if (brokers != null) {
            brokers.close();
        }
    }
}
