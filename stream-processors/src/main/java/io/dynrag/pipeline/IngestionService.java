package io.dynrag.pipeline;

import io.dynrag.pipeline.deadline.DocumentWorkers;
import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.EmbeddingModels;
import io.dynrag.pipeline.ingestion.AfterWrite;
import io.dynrag.pipeline.ingestion.DocumentIngestor;
import io.dynrag.pipeline.ingestion.DocumentRemoval;
import io.dynrag.pipeline.ingestion.DocumentSource;
import io.dynrag.pipeline.ingestion.StoredObjects;
import io.dynrag.pipeline.ingestion.IngestionMetrics;
import io.dynrag.pipeline.ingestion.IngestionTopology;
import io.dynrag.pipeline.ingestion.KafkaProgressReporter;
import io.dynrag.pipeline.ingestion.ProgressReporter;
import io.dynrag.pipeline.ingestion.TenantRemoval;
import io.dynrag.schemas.Topics;
import io.dynrag.vectorstore.ChunkIndex;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.history.HistoryCleaner;
import io.dynrag.vectorstore.index.VectorIndexer;
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

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/** The pipeline role: runs the ingestion topology with exactly-once processing. */
public final class IngestionService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestionService.class);
    /** With backoff doubling from 0.5 s up to 30 s, ten attempts wait out about two minutes of outage. */
    private static final int S3_ATTEMPTS = 10;
    /**
     * What a stream thread may spend on one record beyond the document's deadline: the write to the
     * dataset (which waits its turn behind other writes to it, and now and then compacts it), sending
     * the outcome and committing. The Kafka transaction timeout and poll interval are the longest
     * document plus this, so a document that runs out of time fails before either expires.
     */
    public static final Duration WRITE_ALLOWANCE = Duration.ofMinutes(5);

    private final KafkaStreams streams;
    private final KafkaProgressReporter progress;
    private final VectorIndexer indexer;
    private final HistoryCleaner historyCleaner;
    private final AbandonedTransactions abandonedTransactions;
    private final DocumentWorkers workers;

    /** @param metrics told of each document's outcome, each dead letter and the Kafka Streams instance */
    public IngestionService(IngestionSettings settings, S3Client s3, EmbeddingModels models, LanceChunkStore store,
                            IngestionMetrics metrics) {
        StoredObjects objects = new StoredObjects(s3, settings.documentBucket());
        this.progress = new KafkaProgressReporter(settings.kafka());
        this.indexer = new VectorIndexer(store, settings.vectorIndexRows());
        this.historyCleaner = new HistoryCleaner(store, Clock.systemUTC());
        this.abandonedTransactions = new AbandonedTransactions(settings.kafka(),
                settings.applicationId());
        this.workers = workers(settings);
        this.streams = new KafkaStreams(IngestionTopology.build(ingestor(settings, objects, models, store, progress,
                        (job, model) -> {
                            indexer.afterWrite(job.customerId(), model);
                            historyCleaner.afterWrite(job.customerId(), model, job.historyRetention());
                        }, workers),
                new DocumentRemoval(objects, store), new TenantRemoval(objects, store), metrics), properties(settings));
        metrics.streams(streams);
        // The record being processed is read again by the new thread. One that keeps failing this way is
        // dead-lettered by the topology after a few attempts (IngestionTopology.CRASHES_BEFORE_DEAD_LETTER).
        streams.setUncaughtExceptionHandler(e -> {
            if (causedBy(e, DocumentWorkers.ShuttingDownException.class)) {
                // Only while closing, when no thread is replaced.
                log.info("Ingestion stream thread stopped mid-document for the shutdown; the document is "
                        + "processed again after the restart");
            } else {
                log.error("Ingestion stream thread failed; replacing it", e);
            }
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    /**
     * Worker threads for the stream threads' documents: one each, plus as many again for documents
     * given up on whose code has not stopped yet.
     */
    public static DocumentWorkers workers(IngestionSettings settings) {
        return new DocumentWorkers(settings.streamThreads(), settings.streamThreads());
    }

    public static DocumentIngestor ingestor(IngestionSettings settings, DocumentSource objects, EmbeddingModels models,
                                            ChunkIndex store, ProgressReporter progress,
                                            AfterWrite afterWrite, DocumentWorkers workers) {
        EmbeddingModel local = models.local();
        if (settings.maxChunkTokens() > local.maxInputTokens()) {
            throw new IllegalArgumentException("chunks of " + settings.maxChunkTokens() + " word pieces exceed the "
                    + "input limit of " + local.id() + " (" + local.maxInputTokens() + ")");
        }
        return new DocumentIngestor(
                objects,
                settings.maxChunkTokens(),
                models, store,
                new DocumentIngestor.IngestionLimits(settings.maxDocumentBytes(), S3_ATTEMPTS, Duration.ofMillis(500),
                        settings.extraction(), settings.longestDocument()),
                settings.prices(), progress, afterWrite, workers);
    }

    public static Properties properties(IngestionSettings settings) {
        Properties props = new Properties();
        // The operator's client properties first: every setting below wins over them.
        props.putAll(settings.kafka().config(Map.of()));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        // Poison input goes to the dead-letter topic and never blocks its partition.
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.INGESTION_DLQ.name());
        // One record per poll. A stream thread processes what its polls returned, several records in a
        // row when they come fast, and commits only once its 100 ms commit interval has passed; so with
        // more records per poll one transaction, and one interval between polls, could hold several slow
        // documents, each up to its deadline. With one, neither holds more than one document (and
        // records that took under 100 ms before it).
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 1);
        int oneRecord = (int) recordAllowance(settings).toMillis();
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), oneRecord);
        // Kept above the poll interval so a long document does not drop the coordinator connection.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG),
                oneRecord + (int) Duration.ofMinutes(5).toMillis());
        // A document is processed within one transaction. One a killed instance left open is aborted by
        // AbandonedTransactions once the instance has left the group, else when it times out.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), oneRecord);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                (int) settings.sessionTimeout().toMillis());
        return props;
    }

    /**
     * The longest a stream thread spends on one record: the document's deadline (the worker, and the
     * wait for one), then its write. It is the transaction timeout (which the broker caps at 15 minutes
     * by default, {@code transaction.max.timeout.ms}) and the poll interval.
     */
    private static Duration recordAllowance(IngestionSettings settings) {
        return settings.longestDocument().plus(WRITE_ALLOWANCE);
    }

    public IngestionService start() {
        streams.start();
        abandonedTransactions.start();
        return this;
    }

    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        // Leaving the group hands the partitions over at once; otherwise a restarted or surviving
        // instance waits a whole session timeout before it may process them. The first call only starts
        // the shutdown; then the documents still on a worker are given up on without an outcome (their
        // transactions are aborted, so they are processed again after a restart), and the stream threads
        // stop at once instead of waiting for them.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ZERO));
        workers.close();
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        abandonedTransactions.close();
        indexer.close();
        historyCleaner.close();
        progress.close();
    }
}
