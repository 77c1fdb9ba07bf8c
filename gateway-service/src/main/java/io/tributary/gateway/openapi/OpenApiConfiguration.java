package io.tributary.gateway.openapi;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's header, and the WebSocket endpoint, which is not a controller
 * and so would not appear otherwise.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    /** The security scheme every operation needs: Swagger UI's Authorize button takes an API key or a JWT. */
    public static final String BEARER = "bearer";

    @Bean
    OpenAPI tributaryOpenApi() {
        return new OpenAPI()
                .components(new io.swagger.v3.oas.models.Components().addSecuritySchemes(BEARER,
                        new io.swagger.v3.oas.models.security.SecurityScheme().type(io.swagger.v3.oas.models.security.SecurityScheme.Type.HTTP)
                                .scheme("bearer").description("An API key (trb_...) or a JWT; see README, Security. WebSocket and "
                                        + "SSE also take ?access_token=.")))
                .addSecurityItem(new io.swagger.v3.oas.models.security.SecurityRequirement().addList(BEARER))
                .info(new Info()
                .title("Tributary")
                .version("v1")
                .description("A distributed message queue that speaks HTTP: publish with POST, consume over "
                        + "WebSocket or Server-Sent Events, browse partitions by offset. Errors are RFC 9457 "
                        + "application/problem+json documents with a stable type. Every operation needs "
                        + "Authorization: Bearer <API key or JWT> (401 unauthorized without, 403 forbidden without the "
                        + "permission)."));
    }

    @Bean
    OpenApiCustomizer webSocketEndpoint() {
        return api -> {
            Operation op = new Operation()
                    .addTagsItem("Subscriptions")
                    .summary("Consume a subscription over WebSocket")
                    .description("""
                            Upgrade to a WebSocket at /ws/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}.
                            The server sends each delivered message as a text frame (the same JSON as SSE data):
                            {"id":"0-41","topic":"orders","partition":0,"offset":41,"timestamp":...,"key":"order-42","headers":{},"tag":null,"payload":{...},"deliveryCount":1}
                            and {"error":{"type":...,"status":...,"detail":...}} for a bad client frame.
                            Client frames: {"ack":["0-41"]} commits the position after 0-41 (cumulative per partition);
                            {"credit":100} adds 100 permits. The connection starts with ?credit=N permits (default 1000)
                            and never receives more messages than the permits it holds (Pulsar's flow control).
                            A missing subscription or a bad name is refused before the upgrade with problem+json.""")
                    .addParametersItem(path("vhost")).addParametersItem(path("topic")).addParametersItem(path("sub"))
                    .addParametersItem(new Parameter().in("query").name("credit").required(false)
                            .description("initial permits, 0 to 1000000 (default 1000)").schema(new StringSchema()))
                    .responses(new ApiResponses()
                            .addApiResponse("101", new ApiResponse().description("Switching protocols: the WebSocket is open"))
                            .addApiResponse("404", new ApiResponse().description("Unknown vhost, topic or subscription")
                                    .content(new Content().addMediaType("application/problem+json", new MediaType()
                                            .example(Map.of("type", "not-found", "status", 404,
                                                    "detail", "subscription 'billing' does not exist on topic 'orders'"))))));
            api.path("/ws/v1/vhosts/{vhost}/topics/{topic}/subscriptions/{sub}", new PathItem().get(op));
        };
    }

    private static Parameter path(String name) {
        return new Parameter().in("path").name(name).required(true).schema(new StringSchema());
    }
}
