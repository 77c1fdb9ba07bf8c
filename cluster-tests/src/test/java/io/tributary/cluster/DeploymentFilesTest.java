package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.ClusterLayout;
import io.tributary.launcher.ServiceSpec;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Docker cannot run here, so docker-compose.yml and k8s/ are kept honest against the one
 * description the launcher uses ({@link ClusterLayout}): the same services, ports,
 * environment variables, wiring between services, health probes and volumes.
 */
class DeploymentFilesTest {
    static Path repo;
    static ClusterLayout layout;
    /** Which service each URL-valued variable must point at, by layout name. */
    static final Map<String, String> URL_TARGETS = Map.of(ClusterLayout.ROUTING_URL, ClusterLayout.ROUTING);

    @BeforeAll
    static void load() {
        repo = TestCluster.repoRoot();
        layout = ClusterLayout.of(ClusterLayout.defaults("127.0.0.1", ClusterLayout.DEFAULT_GATEWAY_PORT, 3,
                "redis://127.0.0.1:6380", "token", "trib:", Path.of("data"))).withSecurity("admin-key", name -> null);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @Test
    void composeRunsTheLaunchersServicesWithTheSameSettings() throws IOException {
        Map<String, Object> compose;
        try (Reader r = Files.newBufferedReader(repo.resolve("docker-compose.yml"))) {
            compose = new Yaml().load(r);
        }
        Map<String, Object> services = map(compose.get("services"));
        Set<String> expected = new HashSet<>(List.of("redis"));
        layout.services().forEach(s -> expected.add(s.name()));
        assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(expected);

        assertThat(String.join(" ", list(map(services.get("redis")).get("command")).stream().map(String::valueOf).toList()))
                .contains("--appendonly yes");

        for (ServiceSpec spec : layout.services()) {
            Map<String, Object> svc = map(services.get(spec.name()));
            String where = "compose service " + spec.name();
            assertThat(map(map(svc.get("build")).get("args")).get("SERVICE")).as(where).isEqualTo(spec.module());
            Map<String, Object> env = map(svc.get("environment"));
            assertThat(env.keySet()).as(where + " environment").containsExactlyInAnyOrderElementsOf(spec.env().keySet());
            assertThat(String.valueOf(env.get(ClusterLayout.SERVER_PORT))).as(where).isEqualTo(Integer.toString(spec.port()));
            for (String secret : List.of(ClusterLayout.CLUSTER_TOKEN, io.tributary.launcher.AdminKey.ENV)) {
                if (env.containsKey(secret)) {
                    assertThat(String.valueOf(env.get(secret))).as(where + ": " + secret + " is required, with no default").contains(":?");
                }
            }
            checkWiring(where, spec, name -> String.valueOf(env.get(name)), spec.name());
            if (spec.env().containsKey(ClusterLayout.COORDINATOR_URL)) {
                assertThat(String.valueOf(env.get(ClusterLayout.COORDINATOR_URL))).as(where + " lists every coordinator")
                        .isEqualTo(String.join(",", layout.coordinators().stream()
                                .map(c -> "http://" + c.name() + ":" + c.port()).toList()));
            }
            if (spec.env().containsKey(ClusterLayout.COORDINATOR_ID)) {
                assertThat(env.get(ClusterLayout.COORDINATOR_ID)).as(where).isEqualTo(spec.env().get(ClusterLayout.COORDINATOR_ID));
            }
            String health = String.join(" ", list(map(svc.get("healthcheck")).get("test")).stream().map(String::valueOf).toList());
            assertThat(health).as(where).contains("localhost:" + spec.port() + "/actuator/health/readiness");
            for (Object dep : map(svc.get("depends_on")).values()) {
                assertThat(map(dep).get("condition")).as(where).isEqualTo("service_healthy");
            }
            boolean isGateway = spec.name().equals(ClusterLayout.GATEWAY);
            assertThat(svc.containsKey("ports")).as(where + " publishes ports").isEqualTo(isGateway);
            if (isGateway) {
                assertThat(list(svc.get("ports"))).containsExactly(spec.port() + ":" + spec.port());
            }
            if (spec.name().startsWith(ClusterLayout.STORAGE_PREFIX)) {
                String dataDir = String.valueOf(env.get(ClusterLayout.DATA_DIR));
                assertThat(list(svc.get("volumes"))).as(where).anyMatch(v -> String.valueOf(v).endsWith(":" + dataDir));
            }
        }
    }

    /** Values that are not just names: node id, key prefix, and URLs that must reach the right service and port. */
    static void checkWiring(String where, ServiceSpec spec, java.util.function.Function<String, String> env, String selfHost) {
        for (Map.Entry<String, String> target : URL_TARGETS.entrySet()) {
            if (spec.env().containsKey(target.getKey())) {
                URI uri = URI.create(env.apply(target.getKey()));
                assertThat(uri.getHost()).as(where + " " + target.getKey()).isEqualTo(target.getValue());
                assertThat(uri.getPort()).as(where + " " + target.getKey()).isEqualTo(layout.service(target.getValue()).port());
            }
        }
        if (spec.env().containsKey(ClusterLayout.REDIS_URL)) {
            assertThat(URI.create(env.apply(ClusterLayout.REDIS_URL)).getHost()).as(where).isEqualTo("redis");
        }
        if (spec.env().containsKey(ClusterLayout.KEY_PREFIX)) {
            assertThat(env.apply(ClusterLayout.KEY_PREFIX)).as(where).isEqualTo(spec.env().get(ClusterLayout.KEY_PREFIX));
        }
        if (spec.env().containsKey(ClusterLayout.NODE_ID)) {
            assertThat(env.apply(ClusterLayout.NODE_ID)).as(where).isEqualTo(selfHost);
            URI advertised = URI.create(env.apply(ClusterLayout.ADVERTISED_URL).replace("$(POD_NAME)", selfHost));
            assertThat(advertised.getHost()).as(where).startsWith(selfHost);
            assertThat(advertised.getPort()).as(where).isEqualTo(spec.port());
        }
    }

    @Test
    void kubernetesRunsTheSameServicesWithProbesAndStableStorage() throws IOException {
        Map<String, Object> kustomization;
        try (Reader r = Files.newBufferedReader(repo.resolve("k8s/kustomization.yaml"))) {
            kustomization = new Yaml().load(r);
        }
        Map<String, Map<String, Object>> workloads = new HashMap<>();
        Map<String, Map<String, Object>> k8sServices = new HashMap<>();
        Map<String, Map<String, Object>> budgets = new HashMap<>();
        for (Object file : list(kustomization.get("resources"))) {
            try (Reader r = Files.newBufferedReader(repo.resolve("k8s").resolve(String.valueOf(file)))) {
                for (Object doc : new Yaml().loadAll(r)) {
                    Map<String, Object> d = map(doc);
                    String name = String.valueOf(map(d.get("metadata")).get("name"));
                    switch (String.valueOf(d.get("kind"))) {
                        case "Deployment", "StatefulSet" -> workloads.put(name, d);
                        case "Service" -> k8sServices.put(name, d);
                        case "PodDisruptionBudget" -> budgets.put(name, d);
                        default -> { }
                    }
                }
            }
        }
        assertThat(workloads.keySet()).containsExactlyInAnyOrder("redis", "coordinator", "storage", "routing", "gateway");

        Map<String, ServiceSpec> representative = new HashMap<>();
        for (ServiceSpec s : layout.services()) {
            String workload = s.name().startsWith(ClusterLayout.STORAGE_PREFIX) ? "storage"
                    : s.name().startsWith(ClusterLayout.COORDINATOR_PREFIX) ? "coordinator" : s.name();
            representative.putIfAbsent(workload, s);
        }
        for (Map.Entry<String, ServiceSpec> e : representative.entrySet()) {
            String name = e.getKey();
            ServiceSpec spec = e.getValue();
            String where = "k8s " + name;
            Map<String, Object> workload = workloads.get(name);
            Map<String, Object> podSpec = map(map(map(workload.get("spec")).get("template")).get("spec"));
            Map<String, Object> container = map(list(podSpec.get("containers")).get(0));
            assertThat(String.valueOf(container.get("image"))).as(where).isEqualTo("tributary/" + spec.module());
            Map<String, String> env = new HashMap<>();
            for (Object o : list(container.get("env"))) {
                Map<String, Object> v = map(o);
                env.put(String.valueOf(v.get("name")), v.containsKey("value") ? String.valueOf(v.get("value")) : "(from " + v.get("valueFrom") + ")");
            }
            Set<String> names = new HashSet<>(env.keySet());
            names.remove("POD_NAME");
            assertThat(names).as(where + " environment").containsExactlyInAnyOrderElementsOf(spec.env().keySet());
            assertThat(env.get(ClusterLayout.SERVER_PORT)).as(where).isEqualTo(Integer.toString(spec.port()));
            assertThat(env.get(ClusterLayout.CLUSTER_TOKEN)).as(where).contains("secretKeyRef");
            if (spec.env().containsKey(io.tributary.launcher.AdminKey.ENV)) {
                assertThat(env.get(io.tributary.launcher.AdminKey.ENV)).as(where).contains("secretKeyRef");
            }
            String self = name.equals("storage") ? "storage-0" : name;
            checkWiring(where, spec, n -> env.get(n).replace("$(POD_NAME)", "storage-0"), self);
            if (spec.env().containsKey(ClusterLayout.COORDINATOR_URL)) {
                // Pods of the coordinator StatefulSet by their stable DNS names, all on the first one's port.
                List<String> urls = new ArrayList<>();
                for (int i = 0; i < layout.coordinators().size(); i++) {
                    urls.add("http://coordinator-" + i + ".coordinator:" + layout.coordinators().get(0).port());
                }
                assertThat(env.get(ClusterLayout.COORDINATOR_URL)).as(where + " lists every coordinator").isEqualTo(String.join(",", urls));
            }
            if (spec.env().containsKey(ClusterLayout.COORDINATOR_ID)) {
                assertThat(env.get(ClusterLayout.COORDINATOR_ID)).as(where + " is named after its pod").isEqualTo("$(POD_NAME)");
            }
            assertThat(map(list(container.get("ports")).get(0)).get("containerPort")).as(where).isEqualTo(spec.port());
            for (String probe : List.of("readinessProbe", "livenessProbe")) {
                Map<String, Object> http = map(map(container.get(probe)).get("httpGet"));
                assertThat(http.get("port")).as(where + " " + probe).isEqualTo(spec.port());
                assertThat(String.valueOf(http.get("path"))).as(where + " " + probe)
                        .isEqualTo(probe.startsWith("readiness") ? "/actuator/health/readiness" : "/actuator/health/liveness");
            }
            Map<String, Object> svc = k8sServices.get(name);
            assertThat(svc).as(where + " Service").isNotNull();
            assertThat(map(list(map(svc.get("spec")).get("ports")).get(0)).get("port")).as(where).isEqualTo(spec.port());
        }

        Map<String, Object> storage = map(workloads.get("storage").get("spec"));
        assertThat(workloads.get("storage").get("kind")).isEqualTo("StatefulSet");
        assertThat(storage.get("replicas")).isEqualTo(layout.storageNodes().size());
        assertThat(list(storage.get("volumeClaimTemplates"))).isNotEmpty();
        assertThat(map(k8sServices.get("storage").get("spec")).get("clusterIP")).isEqualTo("None");
        Map<String, Object> coordinators = map(workloads.get("coordinator").get("spec"));
        assertThat(workloads.get("coordinator").get("kind")).isEqualTo("StatefulSet");
        assertThat(coordinators.get("replicas")).as("one active controller and a standby").isEqualTo(layout.coordinators().size());
        assertThat(layout.coordinators()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(map(k8sServices.get("coordinator").get("spec")).get("clusterIP")).isEqualTo("None");
        for (String app : List.of("storage", "coordinator")) {
            Map<String, Object> budget = map(budgets.get(app).get("spec"));
            assertThat(budget.get("maxUnavailable")).as(app + " disruption budget").isEqualTo(1);
            assertThat(map(map(budget.get("selector")).get("matchLabels")).get("app")).isEqualTo(app);
        }
        List<String> serviceTypes = new ArrayList<>();
        k8sServices.forEach((n, s) -> {
            if (map(s.get("spec")).containsKey("type")) {
                serviceTypes.add(n + "=" + map(s.get("spec")).get("type"));
            }
        });
        assertThat(serviceTypes).as("only the gateway is exposed").containsExactly("gateway=LoadBalancer");
    }
}
