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
        if (ex instanceof ResponseStatusException rse) {
            headers.addAll(rse.getHeaders()); // e.g. Allow on a 405 (RFC 9110), Accept on a 415
        }
        headers.setContentType(PROBLEM_JSON);
        if (problem.type() == ProblemType.REQUEST_TIMEOUT) {
            headers.set(HttpHeaders.CONNECTION, "close"); // what is left of the request may still trickle in: not on this connection
        }
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
        // The server's own read timeout on a client's request (a call to another service that
        // times out arrives as a WebClientRequestException, below).
        if (!(ex instanceof WebClientRequestException) && causedBy(ex, io.netty.handler.timeout.TimeoutException.class)) {
            return new TributaryException(ProblemType.REQUEST_TIMEOUT, "the request body stopped arriving before it was complete");
        }
        if (causedBy(ex, DataBufferLimitException.class)) {
            return TributaryException.payloadTooLarge("request body exceeds the size limit");
        }
        if (ex instanceof org.springframework.http.InvalidMediaTypeException bad) {
            return new TributaryException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "'" + bad.getMediaType()
                    + "' is not a media type such as application/json");
        }
        if (ex instanceof ServerWebInputException input) {
            return inputProblem(input);
        }
        if (ex instanceof org.springframework.web.reactive.resource.NoResourceFoundException) {
            return TributaryException.notFound("no such path: see /swagger-ui.html for the API");
        }
        if (ex instanceof ResponseStatusException rse) {
            ProblemType type = ProblemType.forStatus(rse.getStatusCode().value());
            return new TributaryException(type, JsonProblems.clean(reasonOf(rse)));
        }
        if (ex instanceof WebClientRequestException || ex instanceof TimeoutException || causedBy(ex, java.net.ConnectException.class)) {
            return TributaryException.unavailable("a cluster service did not answer: " + ex.getMessage(), ex);
        }
        return new TributaryException(ProblemType.INTERNAL_ERROR, "internal error", null, ex);
    }

    /**
     * A request whose parameters or body could not be read, said in the client's terms: which
     * parameter and what it must be, or what is wrong with the JSON; never the Java types
     * Spring and Jackson name in their own messages.
     */
    private static TributaryException inputProblem(ServerWebInputException input) {
        org.springframework.core.MethodParameter param = input.getMethodParameter();
        Throwable cause = input.getCause();
        if (param != null && causedBy(input, org.springframework.beans.TypeMismatchException.class)) {
            String name = param.getParameterName() == null ? "a parameter" : "'" + param.getParameterName() + "'";
            IllegalArgumentException reason = findCause(input, IllegalArgumentException.class);
            String why = reason != null && reason.getMessage() != null && reason.getMessage().startsWith("must ")
                    ? reason.getMessage() : "has the wrong form";
            return TributaryException.invalidArgument(name + " " + why);
        }
        if (causedBy(input, org.springframework.core.codec.DecodingException.class)) {
            tools.jackson.core.JacksonException json = findCause(input, tools.jackson.core.JacksonException.class);
            return TributaryException.malformed("the request body is not valid JSON" + (json == null ? ""
                    : ": " + JsonProblems.describe(json)));
        }
        if (cause == null && input.getReason() != null) {
            return TributaryException.malformed(JsonProblems.clean(input.getReason()));
        }
        return TributaryException.malformed(JsonProblems.clean(reasonOf(input)));
    }

    private static <T extends Throwable> T findCause(Throwable ex, Class<T> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
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
