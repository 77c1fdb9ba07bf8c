package io.tributary.gateway.auth;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.admin.JsonFields;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** Users and their API keys (administrators only, see {@link AccessRules}). */
@RestController
@Tag(name = "Users", description = "Users, tags and API keys (administrators only)")
public class UserController {
    /** The only tag with a meaning; any other is refused rather than stored and ignored. */
    private static final Set<String> TAGS = Set.of(Caller.ADMINISTRATOR);
    private final UserStore store;

    public UserController(UserStore store) {
        this.store = store;
    }

    @PutMapping("/api/v1/users/{user}")
    @Operation(summary = "Create a user or replace its tags",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = "{\"tags\":[]}"))),
            responses = {@ApiResponse(responseCode = "201", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = "{\"name\":\"alice\",\"tags\":[]}"))),
                    @ApiResponse(responseCode = "200", description = "The user existed; its tags are replaced"),
                    @ApiResponse(responseCode = "400", content = @Content(mediaType = "application/problem+json"))})
    public Mono<ResponseEntity<Map<String, Object>>> put(@PathVariable String user, @RequestBody(required = false) JsonNode body) {
        Names.require("user", user);
        List<String> tags = tags(JsonFields.of(body, "user", Set.of("tags")).get("tags"));
        return store.putUser(user, tags).map(created -> ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK)
                .body(Map.of("name", user, "tags", tags)));
    }

    @GetMapping("/api/v1/users")
    @Operation(summary = "List users with their tags and API key ids", responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", content = @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/json", examples = @io.swagger.v3.oas.annotations.media.ExampleObject(value = "{\"users\":[{\"name\":\"admin\",\"tags\":[\"administrator\"],\"apiKeys\":[{\"id\":\"3f2a9c0d1e4b5a67\",\"created\":1764680000000}]}]}"))))
    public Mono<Map<String, Object>> list() {
        return store.users().concatMap(this::view).collectList().map(users -> Map.of("users", users));
    }

    @GetMapping("/api/v1/users/{user}")
    @Operation(summary = "One user: tags, API key ids, permissions per vhost", responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", content = @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/json", examples = @io.swagger.v3.oas.annotations.media.ExampleObject(value = "{\"name\":\"alice\",\"tags\":[],\"apiKeys\":[],\"permissions\":{\"default\":{\"configure\":\"\",\"write\":\"orders\",\"read\":\".*\"}}}"))))
    public Mono<Map<String, Object>> get(@PathVariable String user) {
        Names.require("user", user);
        return existing(user).flatMap(this::view).zipWith(store.permissionsOf(user)).map(t -> {
            Map<String, Object> v = new LinkedHashMap<>(t.getT1());
            v.put("permissions", PermissionController.views(t.getT2()));
            return v;
        });
    }

    @DeleteMapping("/api/v1/users/{user}")
    @Operation(summary = "Delete a user with its API keys and permissions", responses = {@ApiResponse(responseCode = "204"),
            @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(
                    value = "{\"type\":\"not-found\",\"status\":404,\"detail\":\"user 'alice' does not exist\"}")))})
    public Mono<ResponseEntity<Void>> delete(@PathVariable String user) {
        Names.require("user", user);
        return store.deleteUser(user).map(deleted -> {
            if (!deleted) {
                throw noSuchUser(user);
            }
            return ResponseEntity.noContent().build();
        });
    }

    @PostMapping("/api/v1/users/{user}/api-keys")
    @Operation(summary = "Create an API key for the user: the key is in this answer only",
            responses = @ApiResponse(responseCode = "201", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = "{\"id\":\"3f2a9c0d1e4b5a67\",\"key\":\"trb_3f2a9c0d1e4b5a67_...\"}"))))
    public Mono<ResponseEntity<Map<String, String>>> createKey(@PathVariable String user) {
        Names.require("user", user);
        return existing(user).flatMap(u -> store.createKey(user))
                .map(k -> ResponseEntity.status(HttpStatus.CREATED).body(Map.of("id", k.id(), "key", k.value())));
    }

    @DeleteMapping("/api/v1/users/{user}/api-keys/{id}")
    @Operation(summary = "Revoke an API key: every gateway refuses it within a second", responses = {
            @ApiResponse(responseCode = "204"), @ApiResponse(responseCode = "404", content = @Content(mediaType = "application/problem+json",
                    examples = @ExampleObject(value = "{\"type\":\"not-found\",\"status\":404,\"detail\":\"user 'alice' has no API key '3f2a9c0d1e4b5a67'\"}")))})
    public Mono<ResponseEntity<Void>> revoke(@PathVariable String user, @PathVariable String id) {
        Names.require("user", user);
        return store.revokeKey(user, id).map(revoked -> {
            if (!revoked) {
                throw TributaryException.notFound("user '" + user + "' has no API key '" + id + "'");
            }
            return ResponseEntity.noContent().build();
        });
    }

    private Mono<UserRecord> existing(String user) {
        return store.user(user).switchIfEmpty(Mono.error(() -> noSuchUser(user)));
    }

    private Mono<Map<String, Object>> view(UserRecord u) {
        return store.keysOf(u.name()).map(k -> Map.<String, Object>of("id", k.id(), "created", k.created())).collectList()
                .map(keys -> {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("name", u.name());
                    v.put("tags", u.tags());
                    v.put("apiKeys", keys);
                    return v;
                });
    }

    static TributaryException noSuchUser(String user) {
        return TributaryException.notFound("user '" + user + "' does not exist");
    }

    private static List<String> tags(JsonNode node) {
        List<String> tags = new ArrayList<>();
        if (node == null) {
            return tags;
        }
        if (!node.isArray()) {
            throw TributaryException.invalidArgument("user: tags must be a list of strings");
        }
        for (JsonNode t : node) {
            if (!t.isString() || !TAGS.contains(t.asString())) {
                throw TributaryException.invalidArgument("user: unknown tag " + t + " (known: " + String.join(", ", TAGS) + ")");
            }
            if (!tags.contains(t.asString())) {
                tags.add(t.asString());
            }
        }
        return tags;
    }
}
