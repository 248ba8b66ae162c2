package io.dynrag.pipeline;

import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.EmbeddingModels;
import io.dynrag.pipeline.ingestion.DocumentIngestor;
import io.dynrag.pipeline.ingestion.DocumentRemoval;
import io.dynrag.pipeline.ingestion.StoredObjects;
import io.dynrag.pipeline.ingestion.IngestionTopology;
import io.dynrag.pipeline.ingestion.KafkaProgressReporter;
import io.dynrag.pipeline.ingestion.ProgressReporter;
import io.dynrag.pipeline.lance.LanceChunkStore;
import io.dynrag.pipeline.lance.VectorIndexer;
import io.dynrag.pipeline.tenant.TenantRemoval;
import io.dynrag.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.Properties;

/** The pipeline role: runs the ingestion topology with exactly-once processing. */
public final class IngestionService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestionService.class);
    /** With backoff doubling from 0.5 s up to 30 s, ten attempts wait out about two minutes of outage. */
    private static final int S3_ATTEMPTS = 10;

    private final KafkaStreams streams;
    private final KafkaProgressReporter progress;
    private final VectorIndexer indexer;
    private final AbandonedTransactions abandonedTransactions;

    public IngestionService(IngestionSettings settings, S3Client s3, EmbeddingModels models, LanceChunkStore store) {
        StoredObjects objects = new StoredObjects(s3, settings.documentBucket());
        this.progress = new KafkaProgressReporter(settings.kafkaBootstrapServers());
        this.indexer = new VectorIndexer(store, settings.vectorIndexRows());
        this.abandonedTransactions = new AbandonedTransactions(settings.kafkaBootstrapServers(),
                settings.applicationId());
        this.streams = new KafkaStreams(IngestionTopology.build(ingestor(settings, s3, models, store, progress,
                        indexer::afterWrite),
                new DocumentRemoval(objects, store), new TenantRemoval(objects, store)), properties(settings));
        streams.setUncaughtExceptionHandler(e -> {
            log.error("Ingestion stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    public static DocumentIngestor ingestor(IngestionSettings settings, S3Client s3, EmbeddingModels models,
                                            LanceChunkStore store, ProgressReporter progress,
                                            BiConsumer<String, String> afterWrite) {
        EmbeddingModel local = models.local();
        if (settings.maxChunkTokens() > local.maxInputTokens()) {
            throw new IllegalArgumentException("chunks of " + settings.maxChunkTokens() + " word pieces exceed the "
                    + "input limit of " + local.id() + " (" + local.maxInputTokens() + ")");
        }
        return new DocumentIngestor(
                new StoredObjects(s3, settings.documentBucket()),
                settings.maxChunkTokens(),
                models, store,
                new DocumentIngestor.IngestionLimits(settings.maxDocumentBytes(), S3_ATTEMPTS, Duration.ofMillis(500),
                        settings.extraction()),
                settings.prices(), progress, afterWrite);
    }

    public static Properties properties(IngestionSettings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        // Poison input goes to the dead-letter topic and never blocks its partition.
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.INGESTION_DLQ.name());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 20);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
                (int) settings.longestDocument().toMillis());
        // Kept above the poll interval so a long document does not drop the coordinator connection.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG),
                (int) settings.longestDocument().plusMinutes(5).toMillis());
        // A document is processed within one transaction. One a killed instance left open is aborted by
        // AbandonedTransactions once the instance has left the group, else when it times out.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                (int) settings.longestDocument().toMillis());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                (int) settings.sessionTimeout().toMillis());
        return props;
    }

    public IngestionService start() {
        streams.start();
        abandonedTransactions.start();
        return this;
    }

    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    @Override
    public void close() {
        // Leaving the group hands the partitions over at once; otherwise a restarted or surviving
        // instance waits a whole session timeout before it may process them.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        abandonedTransactions.close();
        indexer.close();
        progress.close();
    }
}
