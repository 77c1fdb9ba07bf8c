package io.tributary.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of one storage node (the node advertises the proxy's address, so every
 * service reaches it through here) that passes everything through, until a test arms it to
 * lose the answer to the next append: that request reaches the node and is stored, then the
 * proxy swallows the response and cuts the connection, exactly what a network failure or a
 * timeout looks like to routing. What routing does next (retry) is what the test checks.
 * Plain blocking sockets, a thread pair per connection: test equipment, not product code.
 */
final class FaultProxy implements AutoCloseable {
    private static final byte[] APPEND = "/append?".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final int targetPort;
    private final AtomicBoolean loseNextAppendAnswer = new AtomicBoolean();
    private final AtomicInteger answersLost = new AtomicInteger();
    private volatile boolean closed;

    FaultProxy(int listenPort, int targetPort) throws IOException {
        this.server = new ServerSocket(listenPort, 200, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        Thread accept = new Thread(this::acceptLoop, "fault-proxy-" + listenPort);
        accept.setDaemon(true);
        accept.start();
    }

    /** The next append request passes through, and its answer never comes back. */
    void loseNextAppendAnswer() {
        loseNextAppendAnswer.set(true);
    }

    /** How many append answers were swallowed so far. */
    int answersLost() {
        return answersLost.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                AtomicBoolean lose = new AtomicBoolean();
                start(() -> pump(client, upstream, lose, true));
                start(() -> pump(upstream, client, lose, false));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("fault proxy: " + e);
                }
            }
        }
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Copies {@code from} to {@code to}. Requests (client to node) are watched for an append
     * while armed; once one passes, the answer direction of that connection drops what it
     * reads and closes both sockets.
     */
    private void pump(Socket from, Socket to, AtomicBoolean lose, boolean request) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (request && loseNextAppendAnswer.get() && contains(buf, n, APPEND)
                        && loseNextAppendAnswer.compareAndSet(true, false)) {
                    lose.set(true);
                }
                if (!request && lose.get()) {
                    answersLost.incrementAndGet();
                    break; // the stored batch's answer goes nowhere
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side went away: close both
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static boolean contains(byte[] buf, int n, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= n; i++) {
            for (int j = 0; j < what.length; j++) {
                if (buf[i + j] != what[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
