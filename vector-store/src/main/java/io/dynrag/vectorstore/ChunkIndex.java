package io.dynrag.vectorstore;

import io.dynrag.vectorstore.dataset.ChunkRow;

import java.util.List;
import java.util.Map;

/**
 * The chunk index as the ingestion pipeline writes it: one dataset per tenant and embedding model,
 * whose every write is a new version. {@link LanceChunkStore} is the index; tests use one in memory.
 */
public interface ChunkIndex {

    /** Vectors of the document's current rows by content hash, to reuse for unchanged chunks. */
    Map<String, float[]> vectorsByContentHash(String customerId, String model, String documentId);

    /**
     * Makes {@code rows} the complete set of rows of the document in the tenant's dataset for the
     * model, in one new version. Replaying the same call leaves the same rows.
     *
     * @return the dataset version that holds the new rows
     */
    long replaceDocument(String customerId, String model, String documentId, List<ChunkRow> rows);

    /**
     * Removes the document's rows from every dataset of the tenant that has any, each in a new
     * version, so earlier versions still hold them. Idempotent.
     *
     * @return the newest dataset version without the document, or 0 when it had no rows anywhere
     */
    long removeDocument(String customerId, String documentId);

    /**
     * Removes every dataset of the tenant, with all their versions (a deleted customer's data must go).
     *
     * @return whether anything was removed
     */
    boolean dropTenant(String customerId);
}
