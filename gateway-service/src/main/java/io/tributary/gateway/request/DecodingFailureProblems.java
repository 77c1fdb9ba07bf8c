package io.tributary.gateway.request;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.tributary.protocol.problem.ProblemType;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requests that are not valid HTTP never reach Spring: Netty's decoder flags them (a URI over
 * the line limit, headers over theirs, a duplicate Content-Length, a broken request line) and
 * Reactor Netty answers with a bare status; a target with a bad percent-encoding gets a bare
 * 400 from Spring's adapter. This handler sits right after the HTTP codec and
 * answers those with a problem+json body like every other error (414 {@code uri-too-long},
 * 431 {@code headers-too-large}, else 400 {@code malformed-request}), then closes the
 * connection: after a framing error nothing else on it can be trusted.
 */
@Component
public class DecodingFailureProblems implements NettyServerCustomizer {
    private static final String NAME = "tributary.decodingFailureProblems";

    private final JsonMapper json;

    public DecodingFailureProblems(JsonMapper json) {
        this.json = json;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        // At channel init, after Reactor Netty set up the codec and before the first byte is
        // read (on connection, a small first request could already be past it).
        return server.doOnChannelInit((observer, channel, remote) -> {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(NettyPipeline.HttpCodec) != null && pipeline.get(NAME) == null) {
                pipeline.addAfter(NettyPipeline.HttpCodec, NAME, new Handler());
            }
        });
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private boolean refused;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refused && msg instanceof HttpObject) {
                ReferenceCountUtil.release(msg); // the rest of a request already answered
                return;
            }
            if (msg instanceof HttpRequest request) {
                String badTarget = request.decoderResult().isFailure() ? null : badTarget(request.uri());
                if (request.decoderResult().isFailure() || badTarget != null) {
                    refused = true;
                    ReferenceCountUtil.release(msg);
                    if (badTarget != null) {
                        answer(ctx, ProblemType.MALFORMED_REQUEST, badTarget);
                    } else {
                        answer(ctx, request.decoderResult().cause());
                    }
                    return;
                }
            }
            if (msg instanceof io.netty.handler.codec.http.HttpContent content && content.decoderResult().isFailure()) {
                // A body that stops being HTTP (a bad chunk size): the handler is still waiting for
                // the rest of it, so nothing has been answered yet on this connection.
                refused = true;
                Throwable cause = content.decoderResult().cause();
                ReferenceCountUtil.release(msg);
                answer(ctx, ProblemType.MALFORMED_REQUEST, "the request body is not valid HTTP/1.1"
                        + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage().replaceAll("[\\r\\n]", " ")));
                return;
            }
            ctx.fireChannelRead(msg);
        }

        /** Why a request target is not a URI Spring can read (which it answers with a bare 400), or null. */
        private String badTarget(String target) {
            try {
                RequestShapeFilter.checkEncoding(target, "URL");
                new java.net.URI(target);
                return null;
            } catch (io.tributary.protocol.problem.TributaryException e) {
                return e.detail();
            } catch (java.net.URISyntaxException e) {
                return "the request target is not a valid URI (" + e.getReason() + ")";
            }
        }

        private void answer(ChannelHandlerContext ctx, Throwable cause) {
            ProblemType type;
            String detail;
            if (cause instanceof TooLongHttpLineException) {
                type = ProblemType.URI_TOO_LONG;
                detail = "the request line is longer than this server accepts";
            } else if (cause instanceof TooLongHttpHeaderException) {
                type = ProblemType.HEADERS_TOO_LARGE;
                detail = "the request headers are larger than this server accepts";
            } else if (cause instanceof TooLongFrameException) {
                type = ProblemType.PAYLOAD_TOO_LARGE;
                detail = "a part of the request is larger than this server accepts";
            } else {
                type = ProblemType.MALFORMED_REQUEST;
                detail = "the request is not valid HTTP/1.1" + (cause == null || cause.getMessage() == null ? ""
                        : ": " + cause.getMessage().replaceAll("[\\r\\n]", " "));
            }
            answer(ctx, type, detail);
        }

        private void answer(ChannelHandlerContext ctx, ProblemType type, String detail) {
            NettyProblems.answerAndClose(ctx, json, type, detail, null);
        }
    }
}
