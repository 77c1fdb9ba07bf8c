package io.tributary.gateway.auth;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.admin.JsonFields;
import io.tributary.gateway.cluster.MetadataLookup;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import java.util.LinkedHashMap;
import java.util.List;
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

/** Per-vhost permissions, RabbitMQ's configure / write / read patterns (administrators only). */
@RestController
@Tag(name = "Permissions", description = "What each user may do in a vhost (administrators only)")
public class PermissionController {
    private static final Set<String> FIELDS = Set.of("configure", "write", "read");
    private final UserStore store;
    private final MetadataLookup lookup;

    public PermissionController(UserStore store, MetadataLookup lookup) {
        this.store = store;
        this.lookup = lookup;
    }

    @PutMapping("/api/v1/vhosts/{vhost}/permissions/{user}")
    @Operation(summary = "Set a user's permission in a vhost (replaces the one it had)",
            description = "Each field is a Java regular expression that must match a whole topic, exchange or subscription "
                    + "name; \"\" grants nothing. All three are required.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = "{\"configure\":\"\",\"write\":\"orders.*\",\"read\":\"orders.*\"}"))))
    public Mono<Map<String, Object>> put(@PathVariable String vhost, @PathVariable String user, @RequestBody(required = false) JsonNode body) {
        Names.require("vhost", vhost);
        Names.require("user", user);
        JsonFields f = JsonFields.of(body, "permission", FIELDS);
        Permission p = Permission.of(f.string("configure"), f.string("write"), f.string("read"));
        return lookup.vhost(vhost)
                .then(store.user(user).switchIfEmpty(Mono.error(() -> UserController.noSuchUser(user))))
                .then(store.putPermission(vhost, user, p))
                .thenReturn(view(user, p));
    }

    @GetMapping("/api/v1/vhosts/{vhost}/permissions")
    @Operation(summary = "Every user's permission in the vhost", responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", content = @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/json", examples = @io.swagger.v3.oas.annotations.media.ExampleObject(value = "{\"permissions\":[{\"user\":\"admin\",\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}]}"))))
    public Mono<Map<String, Object>> list(@PathVariable String vhost) {
        Names.require("vhost", vhost);
        return lookup.vhost(vhost).then(store.permissionsIn(vhost)).map(all -> Map.of("permissions",
                all.entrySet().stream().map(e -> view(e.getKey(), e.getValue())).toList()));
    }

    @GetMapping("/api/v1/vhosts/{vhost}/permissions/{user}")
    @Operation(summary = "One user's permission in the vhost", responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", content = @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/json", examples = @io.swagger.v3.oas.annotations.media.ExampleObject(value = "{\"user\":\"alice\",\"configure\":\"\",\"write\":\"orders\",\"read\":\".*\"}"))))
    public Mono<Map<String, Object>> get(@PathVariable String vhost, @PathVariable String user) {
        Names.require("vhost", vhost);
        Names.require("user", user);
        return store.permissionsIn(vhost).map(all -> {
            Permission p = all.get(user);
            if (p == null) {
                throw TributaryException.notFound("user '" + user + "' has no permission in vhost '" + vhost + "'");
            }
            return view(user, p);
        });
    }

    @DeleteMapping("/api/v1/vhosts/{vhost}/permissions/{user}")
    @Operation(summary = "Take away a user's permission in the vhost", responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "404", content = @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/problem+json", examples = @io.swagger.v3.oas.annotations.media.ExampleObject(value = "{\"type\":\"not-found\",\"status\":404,\"detail\":\"user 'alice' has no permission in vhost 'default'\"}"))))
    public Mono<ResponseEntity<Void>> delete(@PathVariable String vhost, @PathVariable String user) {
        Names.require("vhost", vhost);
        Names.require("user", user);
        return store.deletePermission(vhost, user).map(deleted -> {
            if (!deleted) {
                throw TributaryException.notFound("user '" + user + "' has no permission in vhost '" + vhost + "'");
            }
            return ResponseEntity.noContent().build();
        });
    }

    static Map<String, Object> view(String user, Permission p) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("user", user);
        v.put("configure", p.configure());
        v.put("write", p.write());
        v.put("read", p.read());
        return v;
    }

    /** A user's permissions as {vhost: {configure, write, read}}. */
    static Map<String, Object> views(Map<String, Permission> byVhost) {
        Map<String, Object> out = new LinkedHashMap<>();
        byVhost.forEach((vhost, p) -> out.put(vhost, Map.of("configure", p.configure(), "write", p.write(), "read", p.read())));
        return out;
    }

}
