package io.dynrag.projections.document;

import java.time.Instant;

/** A row of the documents catalogue. */
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
        String failureReason,
        Instant updatedAt) {
}
