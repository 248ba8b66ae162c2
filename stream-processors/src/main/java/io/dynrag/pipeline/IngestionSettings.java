package io.dynrag.pipeline;

import io.dynrag.domain.billing.EmbeddingPrices;
import io.dynrag.pipeline.extraction.ExtractionLimits;

import java.nio.file.Path;

/**
 * @param stateDir       Kafka Streams' local state (kept out of the system temp directory)
 * @param maxChunkTokens word pieces per chunk, at most the embedding model's input limit
 * @param prices         embedding prices by model, to put a cost on every indexed version
 * @param extraction     limits that keep a hostile or huge document from exhausting the pipeline
 * @param vectorIndexRows rows from which a tenant's dataset gets a vector index, built in the background
 */
public record IngestionSettings(
        String kafkaBootstrapServers,
        String applicationId,
        Path stateDir,
        String documentBucket,
        long maxDocumentBytes,
        int maxChunkTokens,
        int streamThreads,
        EmbeddingPrices prices,
        ExtractionLimits extraction,
        long vectorIndexRows) {
}
