package io.dynrag.pipeline.ingestion;

import io.dynrag.vectorstore.ChunkIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a deleted document: its rows leave every dataset of the tenant (a new dataset version,
 * so older versions can still be read), then its stored bytes are deleted. Idempotent.
 */
public final class DocumentRemoval {

    private static final Logger log = LoggerFactory.getLogger(DocumentRemoval.class);

    private final DocumentSource objects;
    private final ChunkIndex store;

    public DocumentRemoval(DocumentSource objects, ChunkIndex store) {
        this.objects = objects;
        this.store = store;
    }

    /** Where every stored version of the document is; nothing is left under it once the document is removed. */
    public static String objectPrefix(String customerId, String documentId) {
        return "tenants/" + customerId + "/documents/" + documentId + "/";
    }

    /** @return the newest dataset version without the document, or 0 when it had no rows anywhere */
    public long remove(String customerId, String documentId) {
        long lanceVersion = store.removeDocument(customerId, documentId);
        int deleted = objects.deletePrefix(objectPrefix(customerId, documentId));
        log.info("Removed document {} of {}: dataset version {}, {} stored objects deleted", documentId, customerId,
                lanceVersion, deleted);
        return lanceVersion;
    }
}
