package io.tributary.gateway.contract;

import io.swagger.v3.oas.annotations.Hidden;
import io.tributary.protocol.problem.TributaryException;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The endpoints of the public API contract (../shared/DESIGN.md) that are not built yet: they
 * answer a 404 problem that says so, rather than the generic "no such path", so a client
 * (and the README's "Not yet" list) can tell a missing feature from a typo. Each line goes
 * when its feature lands.
 */
@RestController
@Hidden
public class NotBuiltYetController {
    @RequestMapping({"/api/v1/users", "/api/v1/users/**", "/api/v1/vhosts/{vhost}/permissions", "/api/v1/vhosts/{vhost}/permissions/**",
            "/api/v1/whoami"})
    public Mono<Void> security() {
        return notYet("users, API keys, permissions and authentication");
    }

    private static Mono<Void> notYet(String feature) {
        return Mono.error(TributaryException.notFound(feature + ": part of the API contract, not built yet"));
    }
}
