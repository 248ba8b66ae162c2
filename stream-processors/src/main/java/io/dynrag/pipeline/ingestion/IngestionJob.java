package io.dynrag.pipeline.ingestion;

/**
 * One document version to index, as announced by its {@code DocumentVersionUploaded} event.
 *
 * @param chunkTokens    word pieces per chunk; 0 for the pipeline's default
 * @param embeddingModel requested model id; empty for the pipeline's model
 */
public record IngestionJob(
        String customerId,
        String documentId,
        int version,
        String s3Key,
        String contentType,
        String sourceEventId,
        int chunkTokens,
        int chunkOverlapTokens,
        String embeddingModel) {
}
