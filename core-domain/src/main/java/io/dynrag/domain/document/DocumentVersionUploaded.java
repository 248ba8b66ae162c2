package io.dynrag.domain.document;

import java.util.Map;

/**
 * A version was stored and awaits ingestion; version 1 creates the document.
 *
 * @param metadata the document's metadata from this version on ({@link DocumentMetadata}); events stored
 *                 before metadata existed read as none
 */
public record DocumentVersionUploaded(
        String documentId,
        String customerId,
        int version,
        String title,
        String contentType,
        String s3Key,
        String sha256,
        long bytes,
        IndexingSettings indexing,
        Map<String, Object> metadata) {

    /** Events stored before the settings existed read as the pipeline's defaults. */
    public DocumentVersionUploaded {
        indexing = indexing == null ? IndexingSettings.PIPELINE_DEFAULTS : indexing;
        metadata = DocumentMetadata.checked(metadata);
    }

    /** A version without metadata. */
    public DocumentVersionUploaded(String documentId, String customerId, int version, String title,
                                   String contentType, String s3Key, String sha256, long bytes,
                                   IndexingSettings indexing) {
        this(documentId, customerId, version, title, contentType, s3Key, sha256, bytes, indexing, Map.of());
    }
}
