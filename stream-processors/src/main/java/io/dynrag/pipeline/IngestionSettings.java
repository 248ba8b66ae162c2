package io.dynrag.pipeline;

import java.nio.file.Path;

/**
 * @param stateDir       Kafka Streams' local state (kept out of the system temp directory)
 * @param maxChunkTokens word pieces per chunk, at most the embedding model's input limit
 */
public record IngestionSettings(
        String kafkaBootstrapServers,
        String applicationId,
        Path stateDir,
        String documentBucket,
        long maxDocumentBytes,
        int maxChunkTokens,
        int streamThreads) {
}
