package io.tributary.protocol.problem;

import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Client side of {@link ProblemWebExceptionHandler}: turns an error answer from another
 * service back into the {@link TributaryException} it was rendered from, and a service that
 * cannot be reached into {@code unavailable}. Installed on every internal WebClient, so
 * callers handle one exception type.
 */
public final class ProblemRelay {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProblemRelay.class);

    private ProblemRelay() {
    }

    public static ExchangeFilterFunction filter(JsonMapper json) {
        return (request, next) -> next.exchange(request)
                .onErrorMap(WebClientRequestException.class, e -> TributaryException.unavailable(
                        "cannot reach " + request.url().getHost() + ":" + request.url().getPort() + " (" + e.getMostSpecificCause().getMessage() + ")", e))
                .flatMap(response -> response.statusCode().isError() ? toError(response, json) : Mono.just(response));
    }

    private static Mono<ClientResponse> toError(ClientResponse response, JsonMapper json) {
        int status = response.statusCode().value();
        String retryAfter = response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER);
        return response.bodyToMono(byte[].class)
                .defaultIfEmpty(new byte[0])
                .flatMap(body -> Mono.error(fromBody(status, body, retryAfter, json)));
    }

    static TributaryException fromBody(int status, byte[] body, String retryAfter, JsonMapper json) {
        Duration after = null;
        if (retryAfter != null) {
            try {
                after = Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
            } catch (NumberFormatException ignored) {
                // an HTTP date: not used between our services
            }
        }
        String slug = null;
        String detail = null;
        try {
            JsonNode doc = json.readTree(body);
            if (doc != null && doc.isObject()) {
                slug = doc.path("type").asString(null);
                detail = doc.path("detail").asString(null);
            }
        } catch (RuntimeException notJson) {
            // not a problem document
        }
        if (slug == null || detail == null) {
            // An answer without a problem document came from below our own code (a proxy, a
            // server limit): whatever it was is ours to fix, and its status is not the client's
            // business. Unreachable-ish statuses stay retriable.
            log.warn("an internal call answered {} without a problem document", status);
            boolean away = status == 502 || status == 503 || status == 504;
            return away ? new TributaryException(ProblemType.UNAVAILABLE, "a cluster service is unavailable",
                    after == null ? Duration.ofSeconds(1) : after, null)
                    : new TributaryException(ProblemType.INTERNAL_ERROR, "an internal call failed", null, null);
        }
        ProblemType type = ProblemType.fromSlug(slug, status);
        if (after == null && type == ProblemType.UNAVAILABLE) {
            after = Duration.ofSeconds(1);
        }
        return new TributaryException(type, detail, after, null);
    }
}
