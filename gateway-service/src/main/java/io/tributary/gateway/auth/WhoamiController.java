package io.tributary.gateway.auth;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The caller as the gateway sees it: handy to check a key or a token before using it. */
@RestController
@Tag(name = "Users")
public class WhoamiController {
    @GetMapping("/api/v1/whoami")
    @Operation(summary = "Who the credential of this request belongs to, with its tags and permissions",
            responses = @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json", examples = @ExampleObject(
                    value = "{\"user\":\"admin\",\"tags\":[\"administrator\"],\"credential\":\"api-key 3f2a9c0d1e4b5a67\","
                            + "\"permissions\":{\"default\":{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}}}"))))
    public Map<String, Object> whoami(@AuthenticationPrincipal Caller caller) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("user", caller.user());
        v.put("tags", caller.tags());
        v.put("credential", "jwt".equals(caller.credential()) ? "jwt" : "api-key " + caller.credential());
        if (caller.expiresAt() != null) {
            v.put("expiresAt", caller.expiresAt().toString());
        }
        v.put("permissions", PermissionController.views(caller.permissions()));
        return v;
    }
}
