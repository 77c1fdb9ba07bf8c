package io.tributary.bench.compare;

import java.util.List;

/**
 * A broker under test: starts (or connects to) its servers, makes a destination for a
 * workload and hands out {@link Publisher}s to it. One publisher per connection; each
 * {@link Publisher#publish} is one request of {@link Workload#batch()} messages that returns
 * once all of them are acknowledged at the workload's durability tier.
 */
public interface Peer extends AutoCloseable {
    String name();

    /** A fresh destination for the workload (a topic, a queue), named {@code destination}. */
    void prepare(Workload w, String destination) throws Exception;

    Publisher publisher(Workload w, String destination) throws Exception;

    /** The server processes whose CPU time the report counts (the load generator's is not). */
    List<Long> serverPids();

    /** How the peer's servers were set up, for the report. */
    String setup(Workload w);

    interface Publisher extends AutoCloseable {
        /** Publishes messages {@code first .. first+batch-1}; throws when not all were acknowledged. */
        void publish(long first) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }
}
