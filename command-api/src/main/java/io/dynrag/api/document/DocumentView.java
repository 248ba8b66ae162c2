package io.dynrag.api.document;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * A document as its owner sees it: the latest version and where it is in the pipeline.
 *
 * @param status        PENDING, PROCESSING, INDEXED or FAILED
 * @param failureReason why the latest version failed, only when FAILED
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DocumentView(
        String documentId,
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
