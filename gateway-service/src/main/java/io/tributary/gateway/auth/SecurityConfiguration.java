package io.tributary.gateway.auth;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.ReactiveAuthorizationManager;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.authorization.AuthorizationContext;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import reactor.core.publisher.Mono;

/**
 * Deny by default: every request needs a valid bearer credential ({@link BearerCredentials},
 * {@link Authenticator}) and the right the {@link AccessRules} table asks for, except health
 * probes and the API documentation. Refusals are problem+json like every other error (401
 * {@code unauthorized} with {@code WWW-Authenticate: Bearer}, 403 {@code forbidden}) and each
 * is written to the {@link AuditLog}. Stateless: no session, no cookie, no CSRF token (no
 * browser session exists to ride on), no saved request.
 */
@Configuration
@EnableWebFluxSecurity
@EnableConfigurationProperties(SecurityProperties.class)
public class SecurityConfiguration {
    /** Readable without a credential: probes for the launcher and Kubernetes, and the API's own description. */
    static final String[] PUBLIC = {"/actuator/health", "/actuator/health/**", "/actuator/info", "/v3/api-docs",
            "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**", "/webjars/**"};

    @Bean
    static FirewallProblems firewallProblems() {
        return new FirewallProblems();
    }

    @Bean
    AccessRules accessRules(io.tributary.protocol.metadata.MetadataWatcher metadata) {
        return new AccessRules(vhost -> !metadata.isLoaded() || metadata.current().hasVhost(vhost));
    }

    @Bean
    SecurityWebFilterChain securityChain(ServerHttpSecurity http, Authenticator authenticator, AccessRules rules, AuditLog audit,
            SecurityProperties props) {
        ServerAuthenticationEntryPoint unauthorized = (exchange, e) -> {
            audit.authenticationFailed(exchange, e.getMessage());
            exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"tributary\"");
            return Mono.error(new TributaryException(ProblemType.UNAUTHORIZED, reasonOf(e)));
        };
        ServerAccessDeniedHandler forbidden = (exchange, e) -> Mono.error(new TributaryException(ProblemType.FORBIDDEN, e.getMessage()));

        AuthenticationWebFilter authentication = new AuthenticationWebFilter((Authentication a) -> {
            String credential = (String) a.getCredentials();
            return authenticator.authenticate(credential).map(caller -> (Authentication) CallerAuthentication.of(credential, caller));
        });
        authentication.setServerAuthenticationConverter(new BearerCredentials());
        authentication.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(unauthorized));
        authentication.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());

        ReactiveAuthorizationManager<AuthorizationContext> byTable = new ReactiveAuthorizationManager<>() {
            @Override
            public Mono<AuthorizationResult> authorize(Mono<Authentication> auth, AuthorizationContext ctx) {
                return auth.filter(a -> a instanceof CallerAuthentication c && c.getPrincipal() != null)
                        .map(a -> ((CallerAuthentication) a).getPrincipal())
                        .flatMap(caller -> {
                            String why = rules.deny(caller, ctx.getExchange().getRequest().getMethod(),
                                    ctx.getExchange().getRequest().getPath().pathWithinApplication().value());
                            if (why == null) {
                                return Mono.just((AuthorizationResult) new AuthorizationDecision(true));
                            }
                            audit.denied(ctx.getExchange(), caller, why);
                            return Mono.error(new AccessDeniedException(why));
                        })
                        .defaultIfEmpty(new AuthorizationDecision(false)); // anonymous: the entry point answers 401
            }
        };

        return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .anonymous(ServerHttpSecurity.AnonymousSpec::disable)
                .cors(ServerHttpSecurity.CorsSpec::disable)
                .addFilterAt(OriginPolicy.filter(props), SecurityWebFiltersOrder.CORS)
                .requestCache(c -> c.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .addFilterAt(authentication, SecurityWebFiltersOrder.AUTHENTICATION)
                .authorizeExchange(a -> a.pathMatchers(PUBLIC).permitAll().anyExchange().access(byTable))
                .exceptionHandling(e -> e.authenticationEntryPoint(unauthorized).accessDeniedHandler(forbidden))
                .build();
    }

    private static String reasonOf(AuthenticationException e) {
        if (e instanceof BadCredentialsException) {
            return e.getMessage();
        }
        return "this request needs 'Authorization: Bearer <API key or JWT>' (see README, Security)";
    }
}
