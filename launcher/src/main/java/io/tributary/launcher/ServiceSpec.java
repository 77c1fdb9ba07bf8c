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

    public String readinessUrl(String host) {
        return "http://" + host + ":" + port + "/actuator/health/readiness";
    }
}
