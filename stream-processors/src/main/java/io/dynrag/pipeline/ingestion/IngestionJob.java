package io.dynrag.pipeline.ingestion;

/** One document version to index, as announced by its {@code DocumentVersionUploaded} event. */
public record IngestionJob(
        String customerId,
        String documentId,
        int version,
        String s3Key,
        String contentType,
        String sourceEventId) {
}
