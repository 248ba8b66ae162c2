package io.dynrag.pipeline.ingestion;

import io.dynrag.schemas.Topics;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.schemas.ingestion.IngestionProgress;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;

/**
 * Publishes progress outside the pipeline's Kafka transaction, so it is visible while the work
 * is still going on. Losing a report is harmless (the next one, or the outcome, supersedes it), so
 * sending never waits and never fails the work.
 */
public final class KafkaProgressReporter implements ProgressReporter, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaProgressReporter.class);

    private final KafkaConnection kafka;
    private final KafkaProducer<String, IngestionProgress> producer;

    public KafkaProgressReporter(KafkaConnection kafka) {
        this.kafka = kafka;
        this.producer = kafka.opened(new KafkaProducer<>(kafka.config(Map.of(
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000)),
                Topics.INGESTION_PROGRESS.keySerde().serializer(),
                Topics.INGESTION_PROGRESS.valueSerde().serializer()));
    }

    @Override
    public void report(IngestionJob job, String stage, int chunksEmbedded, int chunksTotal) {
        IngestionProgress progress = IngestionProgress.newBuilder()
                .setCustomerId(job.customerId())
                .setDocumentId(job.documentId())
                .setVersion(job.version())
                .setStage(stage)
                .setChunksEmbedded(chunksEmbedded)
                .setChunksTotal(chunksTotal)
                .setReportedAt(Instant.now())
                .build();
        try {
            producer.send(new ProducerRecord<>(Topics.INGESTION_PROGRESS.name(), job.customerId(), progress));
        } catch (RuntimeException e) {
            log.debug("Progress report dropped: {}", e.toString());
        }
    }

    @Override
    public void close() {
        producer.close();
        kafka.closed(producer);
    }
}
