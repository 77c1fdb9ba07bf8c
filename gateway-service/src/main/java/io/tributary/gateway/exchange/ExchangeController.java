package io.tributary.gateway.exchange;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.GatewayProperties;
import io.tributary.gateway.admin.JsonFields;
import io.tributary.gateway.auth.Caller;
import io.tributary.gateway.auth.Permission;
import io.tributary.gateway.cluster.RoutingClient;
import io.tributary.gateway.openapi.ApiExamples;
import io.tributary.gateway.publish.IdempotencyKey;
import io.tributary.gateway.publish.PublishPipeline;
import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.admin.BindingSpec;
import io.tributary.protocol.admin.ExchangeInfo;
import io.tributary.protocol.admin.ExchangeSpec;
import io.tributary.protocol.http.BodyReader;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.protocol.publish.Acks;
import io.tributary.protocol.publish.ExchangePublishResponse;
import io.tributary.protocol.publish.PublishRequestCodec;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Exchanges, bindings, and publishing through an exchange (RabbitMQ's model, routed by
 * routing-service into topics). {@code amq.default} is the default exchange: it routes each
 * message to the topic its routing key names.
 */
@RestController
@RequestMapping("/api/v1/vhosts/{vhost}/exchanges")
@Tag(name = "Exchanges", description = "Route messages into topics through bindings")
public class ExchangeController {
    private static final Set<String> EXCHANGE_FIELDS = Set.of("type", "alternateExchange", "durable", "autoDelete", "internal",
            "arguments");
    private static final Set<String> BINDING_FIELDS = Set.of("destination", "destinationType", "routingKey", "arguments");

    private final RoutingClient routing;
    private final PublishPipeline pipeline;

    public ExchangeController(RoutingClient routing, PublishPipeline pipeline) {
        this.routing = routing;
        this.pipeline = pipeline;
    }

    @PutMapping("/{exchange}")
    @Operation(summary = "Declare an exchange (idempotent)",
            description = "type: direct (exact routing key), fanout (every binding), topic (patterns: * one word, # zero or "
                    + "more), headers (x-match all/any). Redeclaring with another type or alternate exchange is a 409.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.EXCHANGE_SPEC))),
            responses = {
                    @ApiResponse(responseCode = "201", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = ApiExamples.EXCHANGE_INFO))),
                    @ApiResponse(responseCode = "200", description = "Existed with the same settings"),
                    @ApiResponse(responseCode = "400", description = "Unknown type or invalid name", content = @Content(
                            mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_BAD_TYPE))),
                    @ApiResponse(responseCode = "404", description = "Unknown vhost or alternate exchange", content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "409", description = "Exists with another type", content = @Content(mediaType = "application/problem+json"))})
    public Mono<ResponseEntity<ExchangeInfo>> declare(@PathVariable String vhost, @PathVariable String exchange,
            @RequestBody(required = false) JsonNode body) {
        names(vhost, exchange);
        JsonFields f = JsonFields.of(body, "exchange settings", EXCHANGE_FIELDS);
        return routing.declareExchange(vhost, exchange, new ExchangeSpec(f.string("type"), alternateOf(f)));
    }

    @GetMapping
    @Operation(summary = "List the exchanges of a vhost", responses = @ApiResponse(responseCode = "200",
            content = @Content(mediaType = "application/json", examples = @ExampleObject(value = "{\"exchanges\":[" + ApiExamples.EXCHANGE_INFO + "]}"))))
    public Mono<Map<String, List<ExchangeInfo>>> list(@PathVariable String vhost) {
        Names.require("vhost", vhost);
        return routing.exchanges(vhost).map(l -> Map.of("exchanges", l));
    }

    @GetMapping("/{exchange}")
    @Operation(summary = "Describe an exchange and its bindings", responses = {
            @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.EXCHANGE_VIEW))),
            @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json"))})
    public Mono<JsonNode> describe(@PathVariable String vhost, @PathVariable String exchange) {
        names(vhost, exchange);
        return routing.exchange(vhost, exchange);
    }

    @DeleteMapping("/{exchange}")
    @Operation(summary = "Delete an exchange with its bindings and the bindings that lead to it", responses = {
            @ApiResponse(responseCode = "204"),
            @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json",
                    examples = @ExampleObject(value = ApiExamples.PROBLEM_NO_EXCHANGE)))})
    public Mono<ResponseEntity<Void>> delete(@PathVariable String vhost, @PathVariable String exchange) {
        names(vhost, exchange);
        return routing.deleteExchange(vhost, exchange).thenReturn(ResponseEntity.noContent().build());
    }

    @PostMapping("/{exchange}/bindings")
    @Operation(summary = "Bind the exchange to a topic or to another exchange (idempotent)",
            description = "destinationType: topic (default) or exchange. direct and topic exchanges take a routingKey "
                    + "(the key, or the pattern); fanout takes neither; headers takes arguments with x-match (all, any, "
                    + "all-with-x, any-with-x) and the header values to match (null: present).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = {@ExampleObject(name = "topic pattern", value = ApiExamples.BINDING_SPEC),
                            @ExampleObject(name = "headers", value = ApiExamples.BINDING_HEADERS),
                            @ExampleObject(name = "to an exchange", value = ApiExamples.BINDING_E2E)})),
            responses = {
                    @ApiResponse(responseCode = "201", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = ApiExamples.BINDING_INFO))),
                    @ApiResponse(responseCode = "200", description = "The same binding existed"),
                    @ApiResponse(responseCode = "400", description = "Arguments that do not suit the exchange type",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", description = "Unknown exchange or destination",
                            content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_NO_EXCHANGE)))})
    public Mono<ResponseEntity<BindingInfo>> bind(@PathVariable String vhost, @PathVariable String exchange,
            @RequestBody(required = false) JsonNode body, @AuthenticationPrincipal Caller caller) {
        names(vhost, exchange);
        JsonFields f = JsonFields.of(body, "binding", BINDING_FIELDS);
        BindingSpec spec = new BindingSpec(f.string("destination"), f.string("destinationType"), f.string("routingKey"),
                arguments(f.get("arguments")));
        requireDestination(caller, vhost, spec.destination(), spec.destinationType());
        return routing.bind(vhost, exchange, spec);
    }

    /**
     * RabbitMQ's declare flags, as its HTTP API and client libraries send them: every exchange
     * is durable here, so {@code durable: true} is accepted and {@code false} refused, as are
     * auto-delete and internal exchanges (not built); the alternate exchange may come as
     * {@code alternateExchange} or as RabbitMQ's {@code arguments: {"alternate-exchange": ...}}.
     */
    private static String alternateOf(JsonFields f) {
        refuseFlag(f, "durable", false, "every exchange is durable; leave out durable or set it to true");
        refuseFlag(f, "autoDelete", true, "auto-delete exchanges are not supported");
        refuseFlag(f, "internal", true, "internal exchanges are not supported");
        Map<String, String> args = arguments(f.get("arguments"));
        String fromArgs = args == null ? null : args.get("alternate-exchange");
        if (args != null && args.keySet().stream().anyMatch(k -> !k.equals("alternate-exchange"))) {
            throw TributaryException.invalidArgument("exchange arguments: only 'alternate-exchange' is supported");
        }
        String explicit = f.string("alternateExchange");
        if (explicit != null && fromArgs != null && !explicit.equals(fromArgs)) {
            throw TributaryException.invalidArgument("alternateExchange and arguments.alternate-exchange disagree");
        }
        return explicit != null ? explicit : fromArgs;
    }

    private static void refuseFlag(JsonFields f, String name, boolean refused, String why) {
        JsonNode v = f.get(name);
        if (v == null) {
            return;
        }
        if (!v.isBoolean()) {
            throw TributaryException.invalidArgument("exchange settings: " + name + " must be true or false");
        }
        if (v.booleanValue() == refused) {
            throw TributaryException.invalidArgument("exchange settings: " + why);
        }
    }

    /**
     * Binding (or exchange) arguments: an object of strings, numbers, booleans or nulls, as
     * RabbitMQ takes them. Message headers are strings, so a number or boolean is kept as its
     * JSON text ({@code 5}, {@code true}) and matches a header with that text.
     */
    private static Map<String, String> arguments(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw TributaryException.invalidArgument("arguments must be an object of strings (or nulls)");
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode v = e.getValue();
            if (!v.isNull() && !v.isString() && !v.isNumber() && !v.isBoolean()) {
                throw TributaryException.invalidArgument("argument '" + e.getKey() + "' must be a string, number, boolean or null");
            }
            args.put(e.getKey(), v.isNull() ? null : v.isString() ? v.asString() : v.toString());
        }
        return args;
    }

    @GetMapping("/{exchange}/bindings")
    @Operation(summary = "List the exchange's bindings", responses = @ApiResponse(responseCode = "200",
            content = @Content(mediaType = "application/json", examples = @ExampleObject(value = "{\"bindings\":[" + ApiExamples.BINDING_INFO + "]}"))))
    public Mono<JsonNode> bindings(@PathVariable String vhost, @PathVariable String exchange) {
        names(vhost, exchange);
        return routing.bindings(vhost, exchange);
    }

    @GetMapping("/{exchange}/bindings/{id}")
    @Operation(summary = "One binding", responses = {
            @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = ApiExamples.BINDING_INFO))),
            @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json"))})
    public Mono<BindingInfo> binding(@PathVariable String vhost, @PathVariable String exchange, @PathVariable String id) {
        names(vhost, exchange);
        Names.require("binding", id);
        return routing.binding(vhost, exchange, id);
    }

    @DeleteMapping("/{exchange}/bindings/{id}")
    @Operation(summary = "Remove a binding", responses = {@ApiResponse(responseCode = "204"),
            @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json",
                    examples = @ExampleObject(value = ApiExamples.PROBLEM_NOT_FOUND)))})
    public Mono<ResponseEntity<Void>> unbind(@PathVariable String vhost, @PathVariable String exchange, @PathVariable String id,
            @AuthenticationPrincipal Caller caller) {
        names(vhost, exchange);
        Names.require("binding", id);
        return routing.binding(vhost, exchange, id)
                .doOnNext(b -> requireDestination(caller, vhost, b.destination(), b.destinationType()))
                .then(routing.unbind(vhost, exchange, id)).thenReturn(ResponseEntity.noContent().build());
    }

    @PostMapping(value = "/{exchange}/messages", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Publish through an exchange, with a routingKey per message",
            description = "Same body as a topic publish, plus routingKey per message. One result per message in request "
                    + "order: {\"routed\":[{topic, partition, offset}, ...]} (each topic once, however many bindings lead "
                    + "there), or {\"unroutable\":true} when nothing matched and no alternate exchange took it (nothing is "
                    + "stored for that message).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
                    @Content(mediaType = "application/json", examples = @ExampleObject(value = ApiExamples.EXCHANGE_PUBLISH)),
                    @Content(mediaType = "application/x-ndjson")}),
            responses = {
                    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(value = ApiExamples.EXCHANGE_PUBLISH_RESULT))),
                    @ApiResponse(responseCode = "400", content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", description = "Unknown vhost or exchange",
                            content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_NO_EXCHANGE))),
                    @ApiResponse(responseCode = "413", content = @Content(mediaType = "application/problem+json"))})
    public Mono<ExchangePublishResponse> publish(@PathVariable String vhost, @PathVariable String exchange,
            @Parameter(description = "none | leader | all (default all)") @RequestParam(required = false) String acks,
            @Parameter(description = "makes retries of this request safe, as on a topic publish")
            @RequestHeader(value = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            ServerWebExchange http, @AuthenticationPrincipal Caller caller) {
        names(vhost, exchange);
        return pipeline.toExchange(http.getRequest(), vhost, exchange, Acks.parse(acks), caller.in(vhost).write());
    }

    /**
     * RabbitMQ's rule for a binding: write on its destination (read on the exchange is in
     * {@code AccessRules}). A destination left out is refused by routing with a 400.
     */
    private static void requireDestination(Caller caller, String vhost, String destination, String destinationType) {
        if (destination != null) {
            caller.require(vhost, Permission.Access.WRITE, BindingInfo.EXCHANGE.equals(destinationType) ? "exchange" : "topic",
                    destination);
        }
    }

    private static void names(String vhost, String exchange) {
        Names.require("vhost", vhost);
        Names.require("exchange", exchange);
    }
}
