package io.tributary.routing.exchange;

import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.admin.BindingSpec;
import io.tributary.protocol.admin.ExchangeInfo;
import io.tributary.protocol.admin.ExchangeSpec;
import io.tributary.protocol.metadata.MetadataSnapshot;
import io.tributary.protocol.metadata.MetadataWatcher;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.routing.binding.HeadersMatcher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.springframework.stereotype.Service;

/**
 * Declaring and removing exchanges and bindings, with RabbitMQ's rules: declarations are
 * idempotent, redeclaring with another type or alternate exchange is a conflict, bindings
 * need an existing source and destination, and the arguments must suit the exchange type.
 * Every check happens before anything is written, so a refused request changes nothing.
 * Blocking (Redis): call off the event loop.
 */
@Service
public class ExchangeAdmin {
    private final ExchangeStore store;
    private final RoutingTableCache cache;
    private final MetadataWatcher metadata;

    public ExchangeAdmin(ExchangeStore store, RoutingTableCache cache, MetadataWatcher metadata) {
        this.store = store;
        this.cache = cache;
        this.metadata = metadata;
    }

    public ExchangeStore.Put<ExchangeInfo> declare(String vhost, String name, ExchangeSpec spec) {
        requireVhost(vhost);
        requireDeclarableName(name);
        ExchangeSpec s = spec == null ? new ExchangeSpec(null, null) : spec;
        ExchangeType type = ExchangeType.parse(s.type());
        String alternate = s.alternateExchange();
        if (alternate != null) {
            Names.require("alternate exchange", alternate);
            if (!alternate.equals(name) && cache.reload().exchange(vhost, alternate).isEmpty()) {
                throw TributaryException.notFound("alternate exchange '" + alternate + "' does not exist in vhost '" + vhost + "'");
            }
        }
        ExchangeInfo wanted = new ExchangeInfo(vhost, name, type.wireName(), alternate, System.currentTimeMillis());
        ExchangeStore.Put<ExchangeInfo> put = store.putExchange(wanted);
        ExchangeInfo stored = put.stored();
        if (!put.created() && (!stored.type().equals(wanted.type()) || !Objects.equals(stored.alternateExchange(), alternate))) {
            throw TributaryException.conflict("exchange '" + name + "' already exists as type " + stored.type()
                    + (stored.alternateExchange() == null ? "" : " with alternate exchange " + stored.alternateExchange())
                    + "; delete it first to redeclare it differently");
        }
        cache.reload();
        return put;
    }

    public void delete(String vhost, String name) {
        requireVhost(vhost);
        RoutingTable table = cache.reload();
        RoutingTable.Compiled ex = requireExchange(table, vhost, name);
        List<BindingInfo> doomed = new ArrayList<>(ex.bindings());
        doomed.addAll(table.bindingsTo(vhost, name));
        store.removeExchange(ex.info(), doomed);
        cache.reload();
    }

    public List<ExchangeInfo> list(String vhost) {
        requireVhost(vhost);
        return cache.reload().exchanges(vhost);
    }

    public RoutingTable.Compiled get(String vhost, String name) {
        requireVhost(vhost);
        return requireExchange(cache.reload(), vhost, name);
    }

    public ExchangeStore.Put<BindingInfo> bind(String vhost, String source, BindingSpec spec) {
        requireVhost(vhost);
        if (spec == null) {
            throw TributaryException.invalidArgument("a binding needs a destination");
        }
        RoutingTable table = cache.reload();
        RoutingTable.Compiled src = requireExchange(table, vhost, source);
        String destType = spec.destinationType() == null ? BindingInfo.TOPIC : spec.destinationType();
        if (!destType.equals(BindingInfo.TOPIC) && !destType.equals(BindingInfo.EXCHANGE)) {
            throw TributaryException.invalidArgument("destinationType must be 'topic' or 'exchange', not '" + destType + "'");
        }
        if (spec.destination() == null) {
            throw TributaryException.invalidArgument("a binding needs a destination");
        }
        Names.require("destination " + destType, spec.destination());
        if (destType.equals(BindingInfo.TOPIC)) {
            metadataNow().requireTopic(vhost, spec.destination());
        } else {
            requireExchange(table, vhost, spec.destination());
        }
        ExchangeType type = ExchangeType.parse(src.info().type());
        Map<String, String> arguments = checkArguments(type, spec);
        // As in RabbitMQ, a binding's routing key (default "") and arguments are part of its
        // identity whatever the type; each type uses only what it routes by (direct and topic
        // the key, headers the arguments, fanout neither).
        String routingKey = spec.routingKey() == null ? "" : spec.routingKey();
        BindingInfo b = new BindingInfo(null, vhost, source, spec.destination(), destType, routingKey, arguments);
        b = new BindingInfo(idOf(b), vhost, source, spec.destination(), destType, routingKey, arguments);
        ExchangeStore.Put<BindingInfo> put = store.putBinding(b);
        cache.reload();
        return put;
    }

    /**
     * RabbitMQ's binding rules: every type accepts a routing key and arguments (a client
     * library routinely passes "" or a key to a fanout exchange); the key is at most 255 bytes
     * (AMQP shortstr); a headers binding's {@code x-match} must be all, any, all-with-x or
     * any-with-x. Returns the arguments to store (headers bindings get an explicit x-match).
     */
    private static Map<String, String> checkArguments(ExchangeType type, BindingSpec spec) {
        if (spec.routingKey() != null && spec.routingKey().getBytes(StandardCharsets.UTF_8).length > 255) {
            throw TributaryException.invalidArgument("routingKey is longer than 255 bytes");
        }
        Map<String, String> args = new TreeMap<>(spec.arguments() == null ? Map.of() : spec.arguments());
        if (type != ExchangeType.HEADERS) {
            return args.isEmpty() ? null : args;
        }
        String mode = args.getOrDefault(HeadersMatcher.X_MATCH, "all");
        if (mode == null || !HeadersMatcher.MODES.contains(mode)) {
            throw TributaryException.invalidArgument("x-match must be all, any, all-with-x or any-with-x, not '" + mode + "'");
        }
        args.put(HeadersMatcher.X_MATCH, mode);
        return args;
    }

    public List<BindingInfo> bindings(String vhost, String exchange) {
        requireVhost(vhost);
        return requireExchange(cache.reload(), vhost, exchange).bindings();
    }

    public BindingInfo binding(String vhost, String exchange, String id) {
        return bindings(vhost, exchange).stream().filter(b -> b.id().equals(id)).findFirst()
                .orElseThrow(() -> TributaryException.notFound("binding '" + id + "' does not exist on exchange '" + exchange + "'"));
    }

    public void unbind(String vhost, String exchange, String id) {
        BindingInfo b = binding(vhost, exchange, id);
        store.removeBinding(b);
        cache.reload();
    }

    private void requireVhost(String vhost) {
        Names.require("vhost", vhost);
        metadataNow().requireVhost(vhost);
    }

    private MetadataSnapshot metadataNow() {
        try {
            return metadata.current();
        } catch (TributaryException notLoaded) {
            return metadata.refresh().block(java.time.Duration.ofSeconds(5));
        }
    }

    private static void requireDeclarableName(String name) {
        Names.require("exchange", name);
        if (name.startsWith("amq.")) {
            throw new TributaryException(io.tributary.protocol.problem.ProblemType.INVALID_NAME,
                    "exchange names starting with 'amq.' are reserved ('amq.default' routes to the topic named by the routing key)");
        }
    }

    private static RoutingTable.Compiled requireExchange(RoutingTable table, String vhost, String name) {
        Names.require("exchange", name);
        return table.exchange(vhost, name).orElseThrow(() ->
                TributaryException.notFound("exchange '" + name + "' does not exist in vhost '" + vhost + "'"));
    }

    /** A binding's id: a digest of what it is, so declaring the same binding twice finds the first. */
    static String idOf(BindingInfo b) {
        String canonical = b.source() + "\n" + b.destinationType() + "\n" + b.destination() + "\n" + (b.routingKey() == null ? "" : b.routingKey()) + "\n"
                + (b.arguments() == null ? "" : new TreeMap<>(b.arguments()).toString());
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return "b-" + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
