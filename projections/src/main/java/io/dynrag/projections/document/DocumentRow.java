package io.dynrag.projections.document;

import io.dynrag.domain.document.IndexingStats;

import java.time.Instant;

/**
 * A document, or one version of it, with its pipeline outcome.
 *
 * @param stats null until the version is indexed; a document's latest-version row has no stage timings
 */
public record DocumentRow(
        String documentId,
        String customerId,
        String title,
        String contentType,
        long bytes,
        int version,
        String status,
        IndexingStats stats,
        String failureReason,
        Instant updatedAt) {
}
