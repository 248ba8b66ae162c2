package io.dynrag.pipeline.ingestion;

import io.dynrag.domain.document.IndexingStats;

/** What indexing one document version ended in. */
public sealed interface IngestionOutcome {

    /** The version is in the tenant's dataset; what that produced and cost. */
    record Indexed(IndexingStats stats) implements IngestionOutcome {
    }

    /** A deleted document's rows and bytes are gone; {@code lanceVersion} is 0 if it had no rows. */
    record Removed(long lanceVersion) implements IngestionOutcome {
    }

    /** @param retryable true when the same input may succeed later (a dependency was down) */
    record Failed(String reason, boolean retryable) implements IngestionOutcome {
    }
}
