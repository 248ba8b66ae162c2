package io.dynrag.domain.document;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.Map;

/**
 * Adds a version to an existing document. Bytes identical to the latest version change nothing;
 * the handler answers with the version that holds them.
 *
 * @param title    null or blank keeps the previous title
 * @param metadata null keeps the previous metadata, else replaces it
 */
public record UploadDocumentVersion(
        @TargetAggregateIdentifier String documentId,
        String customerId,
        String title,
        String contentType,
        String s3Key,
        String sha256,
        long bytes,
        IndexingSettings indexing,
        Map<String, Object> metadata) {

    /** A version that keeps the document's metadata. */
    public UploadDocumentVersion(String documentId, String customerId, String title, String contentType,
                                 String s3Key, String sha256, long bytes, IndexingSettings indexing) {
        this(documentId, customerId, title, contentType, s3Key, sha256, bytes, indexing, null);
    }
}
