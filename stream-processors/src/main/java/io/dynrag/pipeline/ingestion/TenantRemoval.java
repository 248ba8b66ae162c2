package io.dynrag.pipeline.ingestion;

import io.dynrag.vectorstore.ChunkIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes everything the pipeline stores for a deleted customer: its Lance datasets (every
 * version) and its uploaded objects. Idempotent, so a redelivered deletion is harmless.
 */
public final class TenantRemoval {

    private static final Logger log = LoggerFactory.getLogger(TenantRemoval.class);

    private final DocumentSource objects;
    private final ChunkIndex store;

    public TenantRemoval(DocumentSource objects, ChunkIndex store) {
        this.objects = objects;
        this.store = store;
    }

    public static String objectPrefix(String customerId) {
        return "tenants/" + customerId + "/";
    }

    public void remove(String customerId) {
        boolean datasets = store.dropTenant(customerId);
        int deleted = objects.deletePrefix(objectPrefix(customerId));
        log.info("Removed customer {}: datasets {}, {} stored objects", customerId,
                datasets ? "deleted" : "absent", deleted);
    }
}
