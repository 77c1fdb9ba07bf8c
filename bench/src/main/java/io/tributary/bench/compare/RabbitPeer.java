package io.tributary.bench.compare;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The RabbitMQ server already running on this machine (127.0.0.1:5672, guest/guest), with
 * amqp-client: a quorum queue (Raft log, fsync before the confirm), persistent messages and
 * publisher confirms; a request is the workload's batch of messages on the publisher's own
 * connection, done when the broker has confirmed them all. One node, so T2 only.
 */
final class RabbitPeer implements Peer {
    private final ConnectionFactory factory = new ConnectionFactory();
    private final List<String> queues = new ArrayList<>();

    RabbitPeer() {
        factory.setHost("127.0.0.1");
        factory.setPort(5672);
        factory.setUsername("guest");
        factory.setPassword("guest");
    }

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public String setup(Workload w) {
        return "local RabbitMQ " + version() + ", quorum queue, persistent messages, publisher confirms";
    }

    @Override
    public void prepare(Workload w, String destination) throws Exception {
        if (w.replicated()) {
            throw new IllegalArgumentException("RabbitMQ here is one node: it has no T1 (replicated) setup");
        }
        try (Connection c = factory.newConnection(); Channel ch = c.createChannel()) {
            ch.queueDeclare(destination, true, false, false, Map.of("x-queue-type", "quorum"));
        }
        queues.add(destination);
    }

    @Override
    public Publisher publisher(Workload w, String destination) throws Exception {
        Connection connection = factory.newConnection();
        Channel channel = connection.createChannel();
        channel.confirmSelect();
        byte[] payload = "x".repeat(w.messageBytes()).getBytes();
        return new Publisher() {
            @Override
            public void publish(long first) throws Exception {
                for (int i = 0; i < w.batch(); i++) {
                    String key = w.key(first + i);
                    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2)
                            .headers(key == null ? null : Map.of("key", key)).build();
                    channel.basicPublish("", destination, props, payload);
                }
                channel.waitForConfirmsOrDie(30_000);
            }

            @Override
            public void close() throws Exception {
                connection.close();
            }
        };
    }

    private String version() {
        try (Connection c = factory.newConnection()) {
            return String.valueOf(c.getServerProperties().get("version"));
        } catch (Exception e) {
            return "(not reachable: " + e.getMessage() + ")";
        }
    }

    @Override
    public List<Long> serverPids() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(cmd -> cmd.endsWith("beam.smp")).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    @Override
    public void close() throws Exception {
        try (Connection c = factory.newConnection(); Channel ch = c.createChannel()) {
            for (String q : queues) {
                ch.queueDelete(q);
            }
        }
    }
}
