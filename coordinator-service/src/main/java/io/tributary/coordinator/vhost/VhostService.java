package io.tributary.coordinator.vhost;

import io.tributary.coordinator.metadata.MetadataStore;
import io.tributary.protocol.naming.Names;
import org.springframework.stereotype.Service;

/** Vhosts: tenant namespaces. {@code default} always exists; creating one is idempotent. */
@Service
public class VhostService {
    private final MetadataStore store;

    public VhostService(MetadataStore store) {
        this.store = store;
    }

    /** Whether the vhost is new, and the metadata version that holds it. */
    public record Created(boolean created, long version) {
    }

    public Created create(String vhost) {
        Names.require("vhost", vhost);
        boolean existed = store.hasVhost(vhost);
        long version = store.putVhost(vhost);
        return new Created(!existed, version);
    }
}
