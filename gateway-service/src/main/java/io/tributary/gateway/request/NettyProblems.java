package io.tributary.gateway.request;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.tributary.protocol.problem.ProblemType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * A problem+json answer written straight into a Netty pipeline, for what is refused before
 * Spring sees a request (not valid HTTP, too many connections): the same document as
 * every other error, then the connection closes.
 */
final class NettyProblems {
    private NettyProblems() {
    }

    static void answerAndClose(ChannelHandlerContext ctx, JsonMapper json, ProblemType type, String detail, Integer retryAfterSeconds) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", type.slug());
        doc.put("title", type.title());
        doc.put("status", type.status());
        doc.put("detail", detail);
        byte[] body = json.writeValueAsString(doc).getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(type.status()), Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (retryAfterSeconds != null) {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
