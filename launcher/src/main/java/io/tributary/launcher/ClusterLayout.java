package io.tributary.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a Tributary cluster: two coordinators (one active controller, one standby), N
 * storage nodes, one routing service,
 * one gateway, each its own process, and the environment each one reads. This is the single
 * description of "how the services are wired": bin/tributary and the cluster tests start
 * exactly these processes, and docker-compose.yml / k8s are checked against it.
 */
public final class ClusterLayout {
    public static final String COORDINATOR_PREFIX = "coordinator-";
    public static final String ROUTING = "routing";
    public static final String GATEWAY = "gateway";
    public static final String STORAGE_PREFIX = "storage-";

    // Environment variables the services read (Spring relaxed binding of the properties in
    // each service's application.yml).
    public static final String SERVER_PORT = "SERVER_PORT";
    public static final String REDIS_URL = "SPRING_DATA_REDIS_URL";
    public static final String CLUSTER_TOKEN = "TRIBUTARY_CLUSTER_TOKEN";
    public static final String KEY_PREFIX = "TRIBUTARY_REDIS_KEY_PREFIX";
    public static final String COORDINATOR_URL = "TRIBUTARY_COORDINATOR_URL";
    public static final String COORDINATOR_ID = "TRIBUTARY_COORDINATOR_ID";
    public static final String NODE_ID = "TRIBUTARY_STORAGE_NODE_ID";
    public static final String DATA_DIR = "TRIBUTARY_STORAGE_DATA_DIR";
    public static final String ADVERTISED_URL = "TRIBUTARY_STORAGE_ADVERTISED_URL";
    public static final String ROUTING_URL = "TRIBUTARY_GATEWAY_ROUTING_URL";

    /** Default ports of the local cluster (the gateway's is the public one). */
    public static final int DEFAULT_GATEWAY_PORT = 8080;
    public static final int DEFAULT_COORDINATOR_PORT = 7070;
    public static final int DEFAULT_ROUTING_PORT = 7080;
    public static final int DEFAULT_STORAGE_BASE_PORT = 7091;
    public static final int DEFAULT_REDIS_PORT = 6380;

    private final String host;
    private final List<ServiceSpec> services;

    private ClusterLayout(String host, List<ServiceSpec> services) {
        this.host = host;
        this.services = List.copyOf(services);
    }

    /** The settings a layout is built from. */
    public record Settings(
            String host,
            int gatewayPort,
            List<Integer> coordinatorPorts,
            int routingPort,
            List<Integer> storagePorts,
            String redisUrl,
            String clusterToken,
            String keyPrefix,
            Path dataDir) {
    }

    /**
     * The local cluster's settings: gateway on 8080 (or {@code gatewayPort}), coordinators 7070
     * and 7071, routing 7080, storage nodes from 7091. docker-compose.yml and k8s/ use these
     * ports too.
     */
    public static Settings defaults(String host, int gatewayPort, int storageNodes, String redisUrl, String clusterToken,
            String keyPrefix, Path dataDir) {
        List<Integer> storagePorts = new ArrayList<>();
        for (int i = 0; i < storageNodes; i++) {
            storagePorts.add(DEFAULT_STORAGE_BASE_PORT + i);
        }
        List<Integer> coordinatorPorts = List.of(DEFAULT_COORDINATOR_PORT, DEFAULT_COORDINATOR_PORT + 1);
        return new Settings(host, gatewayPort, coordinatorPorts, DEFAULT_ROUTING_PORT, storagePorts, redisUrl,
                clusterToken, keyPrefix, dataDir);
    }

    public static ClusterLayout of(Settings s) {
        // Every client gets every coordinator's URL and finds the active controller itself.
        String coordinatorUrl = String.join(",", s.coordinatorPorts().stream().map(p -> "http://" + s.host() + ":" + p).toList());
        List<ServiceSpec> list = new ArrayList<>();
        for (int i = 0; i < s.coordinatorPorts().size(); i++) {
            String name = COORDINATOR_PREFIX + (i + 1);
            int port = s.coordinatorPorts().get(i);
            list.add(new ServiceSpec(name, "coordinator-service", port, env(s, port, Map.of(
                    REDIS_URL, s.redisUrl(),
                    KEY_PREFIX, s.keyPrefix(),
                    COORDINATOR_ID, name))));
        }
        for (int i = 0; i < s.storagePorts().size(); i++) {
            String name = STORAGE_PREFIX + (i + 1);
            int port = s.storagePorts().get(i);
            list.add(new ServiceSpec(name, "storage-service", port, env(s, port, Map.of(
                    REDIS_URL, s.redisUrl(),
                    KEY_PREFIX, s.keyPrefix(),
                    COORDINATOR_URL, coordinatorUrl,
                    NODE_ID, name,
                    DATA_DIR, s.dataDir().resolve(name).toAbsolutePath().toString(),
                    ADVERTISED_URL, "http://" + s.host() + ":" + port))));
        }
        list.add(new ServiceSpec(ROUTING, "routing-service", s.routingPort(), env(s, s.routingPort(), Map.of(
                REDIS_URL, s.redisUrl(),
                KEY_PREFIX, s.keyPrefix(),
                COORDINATOR_URL, coordinatorUrl))));
        list.add(new ServiceSpec(GATEWAY, "gateway-service", s.gatewayPort(), env(s, s.gatewayPort(), Map.of(
                REDIS_URL, s.redisUrl(),
                KEY_PREFIX, s.keyPrefix(),
                COORDINATOR_URL, coordinatorUrl,
                ROUTING_URL, "http://" + s.host() + ":" + s.routingPort()))));
        return new ClusterLayout(s.host(), list);
    }

    private static Map<String, String> env(Settings s, int port, Map<String, String> own) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(SERVER_PORT, Integer.toString(port));
        env.put(CLUSTER_TOKEN, s.clusterToken());
        env.putAll(own);
        return env;
    }

    public String host() {
        return host;
    }

    public List<ServiceSpec> services() {
        return services;
    }

    public ServiceSpec service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name + " in this layout"));
    }

    public List<ServiceSpec> coordinators() {
        return services.stream().filter(s -> s.name().startsWith(COORDINATOR_PREFIX)).toList();
    }

    public List<ServiceSpec> storageNodes() {
        return services.stream().filter(s -> s.name().startsWith(STORAGE_PREFIX)).toList();
    }

    /**
     * This layout with one more routing instance and a gateway in front of it, on the given
     * ports: what a deployment with several routing instances looks like (tests use it).
     */
    public ClusterLayout withSecondEdge(String routingName, int routingPort, String gatewayName, int gatewayPort) {
        ServiceSpec routing = service(ROUTING);
        ServiceSpec gateway = service(GATEWAY);
        Map<String, String> routingEnv = new LinkedHashMap<>(routing.env());
        routingEnv.put(SERVER_PORT, Integer.toString(routingPort));
        Map<String, String> gatewayEnv = new LinkedHashMap<>(gateway.env());
        gatewayEnv.put(SERVER_PORT, Integer.toString(gatewayPort));
        gatewayEnv.put(ROUTING_URL, "http://" + host + ":" + routingPort);
        List<ServiceSpec> more = new ArrayList<>(services);
        more.add(new ServiceSpec(routingName, routing.module(), routingPort, routingEnv));
        more.add(new ServiceSpec(gatewayName, gateway.module(), gatewayPort, gatewayEnv));
        return new ClusterLayout(host, more);
    }

    /**
     * This layout with one more storage node, {@code storage-<n+1>} on {@code port}, wired like
     * the others (its own data folder beside theirs): what {@code bin/tributary add-node} starts.
     */
    public ClusterLayout withStorageNode(int port) {
        List<ServiceSpec> nodes = storageNodes();
        ServiceSpec template = nodes.get(0);
        String name = STORAGE_PREFIX + (nodes.size() + 1);
        Map<String, String> env = new LinkedHashMap<>(template.env());
        env.put(SERVER_PORT, Integer.toString(port));
        env.put(NODE_ID, name);
        env.put(DATA_DIR, Path.of(template.env().get(DATA_DIR)).resolveSibling(name).toString());
        env.put(ADVERTISED_URL, "http://" + host + ":" + port);
        List<ServiceSpec> more = new ArrayList<>(services);
        more.add(services.indexOf(nodes.get(nodes.size() - 1)) + 1, new ServiceSpec(name, template.module(), port, env));
        return new ClusterLayout(host, more);
    }

    /** Security settings of the gateway that the launcher, compose and k8s pass through from their own environment. */
    public static final List<String> GATEWAY_SECURITY_ENV = List.of("TRIBUTARY_JWT_HS256_SECRET", "TRIBUTARY_JWT_JWKS",
            "TRIBUTARY_JWT_ISSUER", "TRIBUTARY_JWT_AUDIENCE", "TRIBUTARY_WS_ALLOWED_ORIGINS");

    /**
     * This layout with the gateways' security settings: the admin key the first gateway
     * creates the user {@code admin} with ({@link AdminKey}), and each of
     * {@link #GATEWAY_SECURITY_ENV} as {@code env} has it (empty when unset).
     */
    public ClusterLayout withSecurity(String adminKey, java.util.function.Function<String, String> env) {
        List<ServiceSpec> changed = new ArrayList<>();
        for (ServiceSpec spec : services) {
            if (spec.module().equals("gateway-service")) {
                Map<String, String> e = new LinkedHashMap<>(spec.env());
                e.put(AdminKey.ENV, adminKey);
                for (String name : GATEWAY_SECURITY_ENV) {
                    String v = env.apply(name);
                    e.put(name, v == null ? "" : v);
                }
                spec = new ServiceSpec(spec.name(), spec.module(), spec.port(), e);
            }
            changed.add(spec);
        }
        return new ClusterLayout(host, changed);
    }

    /** This layout with one service's environment variable {@code name} set to {@code value} (tests use it). */
    public ClusterLayout withEnv(String service, String name, String value) {
        List<ServiceSpec> changed = new ArrayList<>();
        for (ServiceSpec spec : services) {
            if (spec.name().equals(service)) {
                Map<String, String> env = new LinkedHashMap<>(spec.env());
                env.put(name, value);
                spec = new ServiceSpec(spec.name(), spec.module(), spec.port(), env);
            }
            changed.add(spec);
        }
        return new ClusterLayout(host, changed);
    }

    public String gatewayUrl() {
        return service(GATEWAY).baseUrl(host);
    }

    /** This layout with every gateway serving HTTPS (only) with the key store {@code keyStore}. */
    public ClusterLayout withTls(Path keyStore, String password) {
        List<ServiceSpec> changed = new ArrayList<>();
        for (ServiceSpec spec : services) {
            changed.add(spec.module().equals("gateway-service") ? tls(spec, spec.name(), spec.port(), keyStore, password) : spec);
        }
        return new ClusterLayout(host, changed);
    }

    /** This layout with one more gateway, {@code name} on {@code port}, like the first one but serving HTTPS. */
    public ClusterLayout withTlsGateway(String name, int port, Path keyStore, String password) {
        List<ServiceSpec> more = new ArrayList<>(services);
        more.add(tls(service(GATEWAY), name, port, keyStore, password));
        return new ClusterLayout(host, more);
    }

    private static ServiceSpec tls(ServiceSpec gateway, String name, int port, Path keyStore, String password) {
        Map<String, String> env = new LinkedHashMap<>(gateway.env());
        env.put(SERVER_PORT, Integer.toString(port));
        env.put(ServiceSpec.TLS_ENABLED, "true");
        env.put(ServiceSpec.TLS_KEY_STORE, "file:" + keyStore.toAbsolutePath());
        env.put(ServiceSpec.TLS_KEY_STORE_PASSWORD, password);
        env.put(ServiceSpec.TLS_KEY_STORE_TYPE, "PKCS12");
        return new ServiceSpec(name, gateway.module(), port, env);
    }
}
