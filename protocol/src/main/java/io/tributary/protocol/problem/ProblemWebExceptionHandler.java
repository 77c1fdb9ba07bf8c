package io.tributary.protocol.problem;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders every error that reaches the HTTP edge as an RFC 9457 {@code application/problem+json}
 * document with a stable {@code type} (see {@link ProblemType}). Ordered ahead of Spring
 * Boot's own handler so that unknown paths, wrong methods and unreadable bodies answer in
 * the same format as our own errors. Anything unexpected is a 500 {@code internal-error}
 * and is logged: it is a bug.
 */
@Order(-2)
public class ProblemWebExceptionHandler implements WebExceptionHandler {
    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;
    private static final Logger log = LoggerFactory.getLogger(ProblemWebExceptionHandler.class);

    private final JsonMapper json;

    public ProblemWebExceptionHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(ex);
        }
        TributaryException problem = toProblem(ex);
        if (problem.type() == ProblemType.INTERNAL_ERROR) {
            log.error("Unhandled error on {} {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
        }
        response.setRawStatusCode(problem.type().status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(PROBLEM_JSON);
        if (problem.retryAfter() != null) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, problem.retryAfter().toSeconds())));
        }
        byte[] body = json.writeValueAsBytes(document(problem, exchange.getRequest().getPath().value()));
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    static Map<String, Object> document(TributaryException problem, String instance) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", problem.type().slug());
        doc.put("title", problem.type().title());
        doc.put("status", problem.type().status());
        doc.put("detail", problem.detail());
        doc.put("instance", instance);
        problem.extensions().forEach(doc::putIfAbsent);
        return doc;
    }

    /** Maps any throwable to the problem a client should see. */
    public static TributaryException toProblem(Throwable ex) {
        if (ex instanceof TributaryException t) {
            return t;
        }
        if (causedBy(ex, DataBufferLimitException.class)) {
            return TributaryException.payloadTooLarge("request body exceeds the size limit");
        }
        if (ex instanceof ServerWebInputException input) {
            return TributaryException.malformed(reasonOf(input));
        }
        if (ex instanceof ResponseStatusException rse) {
            ProblemType type = ProblemType.forStatus(rse.getStatusCode().value());
            return new TributaryException(type, reasonOf(rse));
        }
        if (ex instanceof WebClientRequestException || ex instanceof TimeoutException || causedBy(ex, java.net.ConnectException.class)) {
            return TributaryException.unavailable("a cluster service did not answer: " + ex.getMessage(), ex);
        }
        return new TributaryException(ProblemType.INTERNAL_ERROR, "internal error", null, ex);
    }

    private static String reasonOf(ResponseStatusException ex) {
        String reason = ex.getReason();
        if (reason == null || reason.isBlank()) {
            reason = ex.getStatusCode().toString();
        }
        Throwable cause = ex.getCause();
        if (cause != null && cause.getMessage() != null && ex instanceof ServerWebInputException) {
            String m = cause.getMessage();
            reason = reason + ": " + (m.length() > 300 ? m.substring(0, 300) : m);
        }
        return reason;
    }

    private static boolean causedBy(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

}
