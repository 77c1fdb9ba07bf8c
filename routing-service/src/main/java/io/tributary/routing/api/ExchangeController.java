package io.tributary.routing.api;

import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.admin.BindingSpec;
import io.tributary.protocol.admin.ExchangeInfo;
import io.tributary.protocol.admin.ExchangeSpec;
import io.tributary.routing.exchange.ExchangeAdmin;
import io.tributary.routing.exchange.ExchangeStore;
import io.tributary.routing.exchange.RoutingTable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** Exchanges and bindings, as the gateway forwards them: {@code /internal/vhosts/{vhost}/exchanges/...}. */
@RestController
@RequestMapping("/internal/vhosts/{vhost}/exchanges")
public class ExchangeController {
    private final ExchangeAdmin admin;
    private final Scheduler redisScheduler;

    public ExchangeController(ExchangeAdmin admin, Scheduler redisScheduler) {
        this.admin = admin;
        this.redisScheduler = redisScheduler;
    }

    /** Runs an admin action off the event loop (it blocks on Redis), on a scheduler that never interrupts it. */
    private <T> Mono<T> offload(Callable<T> action) {
        return Mono.fromCallable(action).subscribeOn(redisScheduler);
    }

    private static <T> ResponseEntity<T> created(ExchangeStore.Put<T> put) {
        return ResponseEntity.status(put.created() ? HttpStatus.CREATED : HttpStatus.OK).body(put.stored());
    }

    @PutMapping("/{exchange}")
    public Mono<ResponseEntity<ExchangeInfo>> declare(@PathVariable String vhost, @PathVariable String exchange,
            @RequestBody(required = false) ExchangeSpec spec) {
        return offload(() -> created(admin.declare(vhost, exchange, spec)));
    }

    @GetMapping
    public Mono<List<ExchangeInfo>> list(@PathVariable String vhost) {
        return offload(() -> admin.list(vhost));
    }

    /** An exchange and its bindings. */
    public record ExchangeView(ExchangeInfo exchange, List<BindingInfo> bindings) {
    }

    @GetMapping("/{exchange}")
    public Mono<ExchangeView> get(@PathVariable String vhost, @PathVariable String exchange) {
        return offload(() -> {
            RoutingTable.Compiled c = admin.get(vhost, exchange);
            return new ExchangeView(c.info(), c.bindings());
        });
    }

    @DeleteMapping("/{exchange}")
    public Mono<ResponseEntity<Void>> delete(@PathVariable String vhost, @PathVariable String exchange) {
        return offload(() -> {
            admin.delete(vhost, exchange);
            return ResponseEntity.noContent().<Void>build();
        });
    }

    @PostMapping("/{exchange}/bindings")
    public Mono<ResponseEntity<BindingInfo>> bind(@PathVariable String vhost, @PathVariable String exchange,
            @RequestBody(required = false) BindingSpec spec) {
        return offload(() -> created(admin.bind(vhost, exchange, spec)));
    }

    @GetMapping("/{exchange}/bindings")
    public Mono<Map<String, List<BindingInfo>>> bindings(@PathVariable String vhost, @PathVariable String exchange) {
        return offload(() -> Map.of("bindings", admin.bindings(vhost, exchange)));
    }

    @GetMapping("/{exchange}/bindings/{id}")
    public Mono<BindingInfo> binding(@PathVariable String vhost, @PathVariable String exchange, @PathVariable String id) {
        return offload(() -> admin.binding(vhost, exchange, id));
    }

    @DeleteMapping("/{exchange}/bindings/{id}")
    public Mono<ResponseEntity<Void>> unbind(@PathVariable String vhost, @PathVariable String exchange, @PathVariable String id) {
        return offload(() -> {
            admin.unbind(vhost, exchange, id);
            return ResponseEntity.noContent().<Void>build();
        });
    }
}
