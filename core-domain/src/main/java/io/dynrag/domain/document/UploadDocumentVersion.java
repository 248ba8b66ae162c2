package io.dynrag.domain.document;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Adds a version to an existing document. Bytes identical to the latest version change nothing;
 * the handler answers with the version that holds them.
 *
 * @param title null or blank keeps the previous title
 */
public record UploadDocumentVersion(
        @TargetAggregateIdentifier String documentId,
        String customerId,
        String title,
        String contentType,
        String s3Key,
        String sha256,
        long bytes,
        IndexingSettings indexing) {
}
