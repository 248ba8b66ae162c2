package io.dynrag.pipeline;

import io.dynrag.domain.billing.EmbeddingPrices;
import io.dynrag.pipeline.extraction.ExtractionLimits;
import io.dynrag.schemas.connection.KafkaConnection;

import java.nio.file.Path;
import java.time.Duration;

/**
 * @param kafka          the servers and client properties of Kafka Streams and the pipeline's other clients
 * @param stateDir       Kafka Streams' local state (kept out of the system temp directory)
 * @param maxChunkTokens word pieces per chunk, at most the embedding model's input limit
 * @param prices         embedding prices by model, to put a cost on every indexed version
 * @param extraction     limits that keep a hostile or huge document from exhausting the pipeline
 * @param vectorIndexRows rows from which a tenant's dataset gets a vector index, built in the background
 * @param longestDocument the longest fetching, extracting, chunking and embedding one document may take (its
 *                       deadline; past it the document fails). The Kafka transaction timeout and poll interval
 *                       are this plus {@link IngestionService#WRITE_ALLOWANCE}, which also bounds how long a
 *                       transaction left open by a killed instance holds up its partitions (read_committed
 *                       readers stop there) before the broker aborts it
 * @param sessionTimeout how long the group waits for a silent instance before its partitions move
 */
public record IngestionSettings(
        KafkaConnection kafka,
        String applicationId,
        Path stateDir,
        String documentBucket,
        long maxDocumentBytes,
        int maxChunkTokens,
        int streamThreads,
        EmbeddingPrices prices,
        ExtractionLimits extraction,
        long vectorIndexRows,
        Duration longestDocument,
        Duration sessionTimeout) {
}
