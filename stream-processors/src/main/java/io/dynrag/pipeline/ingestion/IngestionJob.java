package io.dynrag.pipeline.ingestion;

import java.time.Duration;

/**
 * One document version to index, as announced by its {@code DocumentVersionUploaded} event.
 *
 * @param chunkTokens    word pieces per chunk; 0 for the pipeline's default
 * @param embeddingModel requested model id; empty for the pipeline's model
 * @param historyRetentionDays the customer's time-travel retention; 0 for the default
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
        String embeddingModel,
        int historyRetentionDays) {

    /** Retention when the event names none (written before it existed). */
    public static final int DEFAULT_HISTORY_RETENTION_DAYS = 30;

    /** How far back the customer's searches may travel, so how much of the dataset's history must stay. */
    public Duration historyRetention() {
        return Duration.ofDays(historyRetentionDays > 0 ? historyRetentionDays : DEFAULT_HISTORY_RETENTION_DAYS);
    }
}
