package io.dynrag.projections.document;

import io.dynrag.domain.document.IndexingStats;

import java.time.Instant;
import java.util.Map;

/**
 * A document, or one version of it, with its pipeline outcome.
 *
 * @param metadata  the document's metadata ({@code {}} for none); a version's as it was uploaded or last changed
 * @param stats     null until the version is indexed; a document's latest-version row has no stage timings
 * @param createdAt when the document's first version was uploaded (a version: when it was uploaded)
 */
public record DocumentRow(
        String documentId,
        String customerId,
        String title,
        Map<String, Object> metadata,
        String contentType,
        long bytes,
        int version,
        String status,
        IndexingStats stats,
        String failureReason,
        Instant createdAt,
        Instant updatedAt) {
}
