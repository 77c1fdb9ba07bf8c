package io.tributary.protocol.http;

import io.tributary.protocol.problem.TributaryException;
import java.nio.ByteBuffer;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;

/**
 * Reads a whole request body into one heap buffer, refusing it with {@code payload-too-large}
 * as soon as it passes {@code maxBytes}: the limit applies while the body streams in, before
 * anything is buffered past it.
 */
public final class BodyReader {
    private BodyReader() {
    }

    public static Mono<ByteBuffer> read(ServerHttpRequest request, long maxBytes, String what) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(tooLarge(what, maxBytes));
        }
        int limit = (int) Math.min(Integer.MAX_VALUE - 8, maxBytes);
        return DataBufferUtils.join(request.getBody(), limit)
                .map(BodyReader::copyAndRelease)
                .defaultIfEmpty(ByteBuffer.allocate(0))
                .onErrorMap(DataBufferLimitException.class, e -> tooLarge(what, maxBytes));
    }

    private static TributaryException tooLarge(String what, long maxBytes) {
        return TributaryException.payloadTooLarge(what + " exceeds the limit of " + maxBytes + " bytes");
    }

    private static ByteBuffer copyAndRelease(DataBuffer buffer) {
        try {
            ByteBuffer copy = ByteBuffer.allocate(buffer.readableByteCount());
            buffer.toByteBuffer(copy);
            copy.position(0).limit(buffer.readableByteCount());
            return copy;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
