package io.dynrag.app.verify;

import io.dynrag.vectorstore.dataset.ChunkRow;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A tenant's chunk datasets (one per embedding model) as a verification reads them. The latest
 * version of each is pinned when the verification starts, so every check of "the latest version"
 * sees the same one while the pipeline goes on writing.
 */
public interface ChunkDatasets {

    /** The models the tenant has a dataset for. */
    Set<String> models();

    /** The pinned latest version of the model's dataset; empty if there is no such dataset. */
    OptionalLong latestVersion(String model);

    /** Whether the model's dataset still has this version (versions written after the pin included). */
    boolean hasVersion(String model, long version);

    /**
     * Whether the version is older than every version the model's dataset kept: removed with the history older
     * than the customer's time-travel retention, not lost.
     */
    boolean cleanedUp(String model, long version);

    /** Rows per document in the pinned latest version of the model's dataset. */
    Map<String, Integer> rowsPerDocument(String model);

    /** The document's rows in an existing version of the model's dataset, by chunk index. */
    List<ChunkRow> rows(String model, String documentId, long version);
}
