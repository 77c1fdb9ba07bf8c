package io.tributary.gateway.request;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The media type of a body the gateway reads itself (a publish): one well-formed media type,
 * in UTF-8 if it names a charset. Anything else is a 415 that says what is accepted, never
 * the 500 that {@code Content-Type: application/json; charset=bogus} used to be.
 */
public final class ContentTypes {
    private ContentTypes() {
    }

    /** The request's media type, or null when it has none. */
    public static MediaType of(ServerHttpRequest request) {
        java.util.List<String> values = request.getHeaders().getOrEmpty("Content-Type");
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw refuse("a request has one Content-Type, not " + values.size());
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(values.get(0));
        } catch (InvalidMediaTypeException e) {
            throw refuse("'" + values.get(0) + "' is not one media type");
        }
        String charset = type.getParameter("charset");
        if (charset != null) {
            Charset named;
            try {
                named = type.getCharset();
            } catch (RuntimeException e) {
                named = null;
            }
            if (!StandardCharsets.UTF_8.equals(named)) {
                throw refuse("bodies are UTF-8; charset '" + charset + "' is not supported");
            }
        }
        return type;
    }

    private static TributaryException refuse(String why) {
        return new TributaryException(ProblemType.UNSUPPORTED_MEDIA_TYPE, why
                + " (publish bodies are application/json or application/x-ndjson, UTF-8)");
    }
}
