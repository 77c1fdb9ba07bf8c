package io.tributary.gateway.vhost;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.gateway.auth.Caller;
import io.tributary.gateway.auth.Permission;
import io.tributary.gateway.auth.UserStore;
import io.tributary.gateway.cluster.CoordinatorClient;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.naming.Names;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Vhosts: tenant namespaces. {@code default} always exists. */
@RestController
@Tag(name = "Vhosts", description = "Tenant namespaces")
public class VhostController {
    private final CoordinatorClient coordinator;
    private final MetadataWatcher metadata;
    private final UserStore users;

    public VhostController(CoordinatorClient coordinator, MetadataWatcher metadata, UserStore users) {
        this.coordinator = coordinator;
        this.metadata = metadata;
        this.users = users;
    }

    @PutMapping("/api/v1/vhosts/{vhost}")
    @Operation(summary = "Create a vhost (idempotent)", responses = {
            @ApiResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = "{\"name\":\"tenant-a\"}"))),
            @ApiResponse(responseCode = "200", description = "Already existed"),
            @ApiResponse(responseCode = "400", description = "Invalid name", content = @Content(mediaType = "application/problem+json"))})
    public Mono<ResponseEntity<Map<String, String>>> create(@PathVariable String vhost, @AuthenticationPrincipal Caller caller) {
        Names.require("vhost", vhost);
        // As RabbitMQ's management UI does, the creator gets every right in the new vhost (it
        // is an administrator: only they may create one); other users get none until granted.
        return coordinator.putVhost(vhost).flatMap(c -> (c.created() && caller.in(vhost) == null
                        ? users.putPermission(vhost, caller.user(), Permission.all()) : Mono.<Void>empty())
                .thenReturn(ResponseEntity.status(c.created() ? HttpStatus.CREATED : HttpStatus.OK).body(Map.of("name", vhost))));
    }

    /** The vhosts the caller has a permission in; all of them for an administrator. */
    @GetMapping("/api/v1/vhosts")
    @Operation(summary = "List vhosts", responses = @ApiResponse(responseCode = "200", content = @Content(
            mediaType = "application/json", examples = @ExampleObject(value = "{\"vhosts\":[\"default\",\"tenant-a\"]}"))))
    public Mono<Map<String, List<String>>> list(@AuthenticationPrincipal Caller caller) {
        return metadata.refresh().map(m -> Map.of("vhosts", m.metadata().vhosts().stream()
                .filter(v -> caller.isAdministrator() || caller.in(v) != null).toList()));
    }
}
