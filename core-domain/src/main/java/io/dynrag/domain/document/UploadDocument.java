package io.dynrag.domain.document;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Creates a document from bytes already stored in the object store under {@code s3Key}.
 * The API stores the bytes first so the event never points at an object that is missing.
 */
public record UploadDocument(
        @TargetAggregateIdentifier String documentId,
        String customerId,
        String title,
        String contentType,
        String s3Key,
        String sha256,
        long bytes,
        IndexingSettings indexing) {
}
