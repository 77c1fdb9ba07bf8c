package io.tributary.launcher;

import java.util.Map;

/**
 * One process of the cluster: which module's jar runs, on which port, with which
 * environment. The same names and variables appear in docker-compose.yml and k8s/, and a
 * test checks that they agree with {@link ClusterLayout}.
 */
public record ServiceSpec(String name, String module, int port, Map<String, String> env) {
    public ServiceSpec {
        env = Map.copyOf(env);
    }

    public String jarFileName() {
        return module + "-exec.jar";
    }

    /** Spring Boot's own switch: a service with it serves HTTPS only. */
    public static final String TLS_ENABLED = "SERVER_SSL_ENABLED";
    public static final String TLS_KEY_STORE = "SERVER_SSL_KEY_STORE";
    public static final String TLS_KEY_STORE_PASSWORD = "SERVER_SSL_KEY_STORE_PASSWORD";
    public static final String TLS_KEY_STORE_TYPE = "SERVER_SSL_KEY_STORE_TYPE";

    public boolean tls() {
        return "true".equals(env.get(TLS_ENABLED));
    }

    public String baseUrl(String host) {
        return (tls() ? "https://" : "http://") + host + ":" + port;
    }

    public String readinessUrl(String host) {
        return baseUrl(host) + "/actuator/health/readiness";
    }
}
