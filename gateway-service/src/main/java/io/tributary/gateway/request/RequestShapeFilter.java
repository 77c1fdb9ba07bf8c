package io.tributary.gateway.request;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses URLs that the framework would otherwise read loosely, before anything acts on them:
 * <ul>
 *   <li>a {@code ;} in the path (WebFlux would drop everything after it as a matrix
 *       variable, so {@code topics/probe-;x} created the topic {@code probe-});</li>
 *   <li>a query parameter given twice ({@code ?key=k1&key=k2} was read as the key {@code k1,k2}).</li>
 * </ul>
 * and refuses a body whose declared length is over {@code tributary.gateway.max-request-bytes}
 * with 413 before authentication and before a byte of it is read. (A bad percent-encoding
 * never gets this far: {@link DecodingFailureProblems} answers it.)
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestShapeFilter implements WebFilter {
    private final long maxRequestBytes;

    public RequestShapeFilter(io.tributary.gateway.GatewayProperties props) {
        this.maxRequestBytes = props.maxRequestBytes().toBytes();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long declared = exchange.getRequest().getHeaders().getContentLength();
        if (declared > maxRequestBytes) {
            return Mono.error(TributaryException.payloadTooLarge("the request body (" + declared + " bytes) exceeds the limit of "
                    + maxRequestBytes + " bytes"));
        }
        try {
            check(exchange.getRequest().getURI().getRawPath(), exchange.getRequest().getURI().getRawQuery(),
                    exchange.getRequest().getQueryParams());
        } catch (TributaryException e) {
            return Mono.error(e);
        }
        return chain.filter(exchange);
    }

    static void check(String rawPath, String rawQuery, Map<String, List<String>> query) {
        if (rawPath != null && rawPath.indexOf(';') >= 0) {
            throw new TributaryException(ProblemType.INVALID_NAME, "';' is not allowed in a path: names are letters, digits, "
                    + "'.', '_' and '-'");
        }
        for (Map.Entry<String, List<String>> p : query.entrySet()) {
            if (p.getValue().size() > 1) {
                throw TributaryException.invalidArgument("query parameter '" + p.getKey() + "' is given " + p.getValue().size()
                        + " times; give it once");
            }
        }
    }

    /** Every {@code %} starts two hex digits, and the decoded bytes are UTF-8. */
    public static void checkEncoding(String raw, String what) {
        if (raw == null || raw.indexOf('%') < 0) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.allocate(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                bytes.put((byte) (c < 0x80 ? c : '?'));
                continue;
            }
            if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0) {
                throw TributaryException.malformed("the " + what + " has a '%' not followed by two hex digits");
            }
            bytes.put((byte) Integer.parseInt(raw.substring(i + 1, i + 3), 16));
            i += 2;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.flip());
        } catch (CharacterCodingException e) {
            throw TributaryException.malformed("the " + what + " percent-encodes bytes that are not UTF-8");
        }
    }
}
