package io.dynrag.domain.document;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.Map;

/**
 * Creates a document from bytes already stored in the object store under {@code s3Key}.
 * The API stores the bytes first so the event never points at an object that is missing.
 *
 * @param metadata null for none
 */
public record UploadDocument(
        @TargetAggregateIdentifier String documentId,
        String customerId,
        String title,
        String contentType,
        String s3Key,
        String sha256,
        long bytes,
        IndexingSettings indexing,
        Map<String, Object> metadata) {

    /** An upload without metadata. */
    public UploadDocument(String documentId, String customerId, String title, String contentType, String s3Key,
                          String sha256, long bytes, IndexingSettings indexing) {
        this(documentId, customerId, title, contentType, s3Key, sha256, bytes, indexing, null);
    }
}
