package io.tributary.protocol.cluster;

import io.tributary.protocol.problem.ProblemWebExceptionHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every Tributary service shares at its HTTP edge: problem+json errors, the cluster
 * token on internal endpoints, and internal clients that carry it. Imported by each
 * service's application class.
 */
@Configuration(proxyBeanMethods = false)
public class ProtocolConfiguration {

    @Bean
    public ClusterToken clusterToken(@Value("${tributary.cluster.token:}") String token) {
        return new ClusterToken(token);
    }

    @Bean
    public ClusterTokenWebFilter clusterTokenWebFilter(ClusterToken token) {
        return new ClusterTokenWebFilter(token);
    }

    @Bean
    public ProblemWebExceptionHandler problemWebExceptionHandler(JsonMapper json) {
        return new ProblemWebExceptionHandler(json);
    }

    @Bean
    public InternalWebClients internalWebClients(WebClient.Builder builder, ClusterToken token, JsonMapper json) {
        return new InternalWebClients(builder, token, json);
    }
}
