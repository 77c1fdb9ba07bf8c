package io.tributary.gateway.limit;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.admin.JsonFields;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** A vhost's publish rate limits (administrators only), RabbitMQ's vhost limits for rates. */
@RestController
@Tag(name = "Vhosts")
public class VhostLimitController {
    private static final Set<String> FIELDS = Set.of("publishRequestsPerSecond", "publishBytesPerSecond");
    private final VhostLimitStore store;
    private final MetadataLookup lookup;

    public VhostLimitController(VhostLimitStore store, MetadataLookup lookup) {
        this.store = store;
        this.lookup = lookup;
    }

    @PutMapping("/api/v1/vhosts/{vhost}/limits")
    @Operation(summary = "Set the vhost's publish rate limits (a field left out: unlimited)",
            description = "Publishes over a limit are answered 429 rate-limited with Retry-After, shared by every gateway; "
                    + "each limit allows one second's worth of burst.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = "{\"publishRequestsPerSecond\":500,\"publishBytesPerSecond\":10485760}"))))
    public Mono<Map<String, Object>> put(@PathVariable String vhost, @RequestBody(required = false) JsonNode body) {
        Names.require("vhost", vhost);
        JsonFields f = JsonFields.of(body, "limits", FIELDS);
        VhostLimits l = new VhostLimits(positive(f, "publishRequestsPerSecond"), positive(f, "publishBytesPerSecond"));
        return lookup.vhost(vhost).then(store.put(vhost, l)).thenReturn(view(vhost, l));
    }

    @GetMapping("/api/v1/vhosts/{vhost}/limits")
    @Operation(summary = "The vhost's publish rate limits", responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", content = @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/json", examples = @io.swagger.v3.oas.annotations.media.ExampleObject(value = "{\"vhost\":\"default\",\"publishRequestsPerSecond\":500,\"publishBytesPerSecond\":null}"))))
    public Mono<Map<String, Object>> get(@PathVariable String vhost) {
        Names.require("vhost", vhost);
        return lookup.vhost(vhost).then(store.limits(vhost)).map(l -> view(vhost, l));
    }

    @DeleteMapping("/api/v1/vhosts/{vhost}/limits")
    @Operation(summary = "Remove the vhost's publish rate limits", responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "404", content = @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/problem+json", examples = @io.swagger.v3.oas.annotations.media.ExampleObject(value = "{\"type\":\"not-found\",\"status\":404,\"detail\":\"vhost 'nope' does not exist\"}"))))
    public Mono<ResponseEntity<Void>> delete(@PathVariable String vhost) {
        Names.require("vhost", vhost);
        return lookup.vhost(vhost).then(store.delete(vhost)).thenReturn(ResponseEntity.noContent().build());
    }

    private static Long positive(JsonFields f, String name) {
        Long v = f.longValue(name);
        if (v != null && v <= 0) {
            throw TributaryException.invalidArgument("limits: " + name + " must be a positive number (leave it out for no limit)");
        }
        return v;
    }

    private static Map<String, Object> view(String vhost, VhostLimits l) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("vhost", vhost);
        v.put("publishRequestsPerSecond", l.publishRequestsPerSecond());
        v.put("publishBytesPerSecond", l.publishBytesPerSecond());
        return v;
    }
}
