package io.dynrag.domain.document;

/**
 * How a document version is to be chunked and embedded, fixed at upload time from the customer's
 * configuration so that replaying the version gives the same chunks.
 *
 * @param chunkTokens        word pieces per chunk; 0 means the pipeline's default
 * @param chunkOverlapTokens word pieces a chunk repeats from the previous one
 * @param embeddingModel     model id; empty means the pipeline's default
 * @param historyRetentionDays the customer's time-travel retention, which the pipeline cleans up the dataset's
 *                           history to after writing the version; 0 means the default (and in events stored
 *                           before it existed)
 */
public record IndexingSettings(int chunkTokens, int chunkOverlapTokens, String embeddingModel,
                               int historyRetentionDays) {

    public static final IndexingSettings PIPELINE_DEFAULTS = new IndexingSettings(0, 0, "", 0);

    public IndexingSettings {
        embeddingModel = embeddingModel == null ? "" : embeddingModel;
    }
}
