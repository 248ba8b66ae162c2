package io.dynrag.domain.document;

public record DocumentVersionUploaded(
        String documentId,
        String customerId,
        int version,
        String title,
        String contentType,
        String s3Key,
        String sha256,
        long bytes,
        IndexingSettings indexing) {

    /** Events stored before the settings existed read as the pipeline's defaults. */
    public DocumentVersionUploaded {
        indexing = indexing == null ? IndexingSettings.PIPELINE_DEFAULTS : indexing;
    }
}
