package io.tributary.gateway.request;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.tributary.protocol.problem.ProblemType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Limits that hold before a request is authenticated or buffered:
 * <ul>
 *   <li>{@code read-timeout}: a request whose bytes stop coming (a slow-loris client that
 *       announces 100 bytes and sends 13) is cut off after this long without a read. It
 *       applies while a request is read, not to the answer: an SSE stream or a WebSocket may
 *       stay open for days. (Reactor Netty's {@code requestTimeout}, a bound on the whole
 *       request, is not used: it also ended WebSocket sessions 60 s after their upgrade. A
 *       client that trickles a byte just inside every read timeout is bounded by the
 *       connection limit below.)</li>
 *   <li>{@code max-per-client}: open connections from one client address; the next one gets
 *       a 429 {@code rate-limited} problem and is closed, so one client cannot take all of the
 *       gateway's sockets.</li>
 * </ul>
 * Idle keep-alive connections are closed by Spring Boot's {@code server.netty.idle-timeout}.
 * Neither timer applies to a WebSocket session ({@link NoTimersOnWebSocket}).
 */
@Component
@EnableConfigurationProperties(ConnectionLimits.Settings.class)
public class ConnectionLimits implements NettyServerCustomizer {
    private static final String NAME = "tributary.connectionLimit";
    private static final String TIMERS = "tributary.noTimersOnWebSocket";
    private final Settings settings;
    private final JsonMapper json;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();

    /** {@code tributary.gateway.connections.*}. */
    @ConfigurationProperties("tributary.gateway.connections")
    public record Settings(Duration readTimeout, int maxPerClient) {
    }

    public ConnectionLimits(Settings settings, JsonMapper json) {
        this.settings = settings;
        this.json = json;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.readTimeout(settings.readTimeout())
                .doOnChannelInit((observer, channel, remote) -> {
                    if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                        channel.pipeline().addAfter(NettyPipeline.HttpCodec, TIMERS, new NoTimersOnWebSocket());
                    }
                    // The channel's own address: the one handed in is not always set for accepted connections.
                    if (!(channel.remoteAddress() instanceof InetSocketAddress address) || address.getAddress() == null) {
                        return;
                    }
                    InetAddress client = address.getAddress();
                    int n = open.computeIfAbsent(client, a -> new AtomicInteger()).incrementAndGet();
                    channel.closeFuture().addListener(f -> release(client));
                    if (n > settings.maxPerClient() && channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                        channel.pipeline().addAfter(NettyPipeline.HttpCodec, NAME, new Refuse(n - 1));
                    }
                });
    }

    private void release(InetAddress client) {
        open.computeIfPresent(client, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /**
     * Takes the request timers off a connection once it has become a WebSocket (its 101 answer
     * is written): a WebSocket session is a consumer's stream and may be silent, or blocked by a
     * client that stopped reading, as long as the client likes; it ends by a close frame or a
     * broken connection. Reactor Netty arms the read timeout when the upgrade request arrives
     * and takes it off only when that request's last content reaches the HTTP operations; when
     * the upgrade wins that race the timer stayed, and a consumer that sent nothing for
     * {@code read-timeout} lost its connection without a close frame (found by
     * {@code StalledConsumerClusterTest}: about three upgrades in four). The keep-alive idle
     * timer, armed again by the 101 answer, goes too.
     */
    private static final class NoTimersOnWebSocket extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof HttpResponse response && response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
                ChannelPipeline pipeline = ctx.pipeline();
                promise.addListener(written -> {
                    for (String timer : new String[] {NettyPipeline.ReadTimeoutHandler, NettyPipeline.IdleTimeoutHandler, TIMERS}) {
                        if (pipeline.get(timer) != null) {
                            pipeline.remove(timer);
                        }
                    }
                });
            }
            super.write(ctx, msg, promise);
        }
    }

    /** Answers the connection's first request with a 429 and closes it. */
    private final class Refuse extends ChannelInboundHandlerAdapter {
        private final int alreadyOpen;
        private boolean answered;

        Refuse(int alreadyOpen) {
            this.alreadyOpen = alreadyOpen;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            if (!answered && msg instanceof HttpRequest) {
                answered = true;
                NettyProblems.answerAndClose(ctx, json, ProblemType.RATE_LIMITED, "this client address has " + alreadyOpen
                        + " connections open, the most the gateway allows (tributary.gateway.connections.max-per-client)", 1);
            }
        }
    }
}
