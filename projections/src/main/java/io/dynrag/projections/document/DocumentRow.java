package io.dynrag.projections.document;

import java.time.Instant;
import java.util.Map;

/**
 * A document, or one version of it, with its pipeline outcome. Metrics are null until the
 * version is indexed.
 *
 * @param stageMillis empty for a document's latest-version row
 */
public record DocumentRow(
        String documentId,
        String customerId,
        String title,
        String contentType,
        long bytes,
        int version,
        String status,
        Integer chunks,
        Long tokens,
        Long embeddedTokens,
        Integer reusedChunks,
        Long characters,
        Integer pages,
        Long meteredTokens,
        Long costMicroUsd,
        Long lanceVersion,
        String model,
        String failureReason,
        Map<String, Long> stageMillis,
        Instant updatedAt) {
}
