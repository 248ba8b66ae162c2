package io.dynrag.pipeline.ingestion;

import io.dynrag.schemas.DeadLetterHeaders;
import io.dynrag.schemas.Topic;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.domain.IndexingStatsAvro;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.ingestion.DocumentRemoved;
import io.dynrag.schemas.ingestion.IngestionFailed;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.ingestion.IngestionStarted;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

import java.time.Duration;
import java.time.Instant;

/**
 * The ingestion topology, built by a plain static method so tests drive exactly what runs.
 *
 * <pre>
 * document-events --(uploads, deletions)--+--> IngestionStarted (uploads) --------------------> ingestion-results
 *                                        +--> [ingestion-work, by document] --> index / remove --> ingestion-results
 *                            index failed for good ------------------------------> ingestion-dlq
 * customer-events --(deleted)-----> remove the tenant's datasets and stored objects
 * </pre>
 *
 * The internal {@code ingestion-work} topic separates acknowledging an upload from indexing
 * it: under exactly-once its records become readable only once the transaction holding the
 * {@code IngestionStarted} marker has committed, so a document shows as PROCESSING before
 * its indexing (which can take seconds) begins. It is keyed by document, so the documents of
 * one tenant spread over partitions and are indexed in parallel.
 *
 * <p>No record holds its partition for long: indexing a document ends within its deadline (see
 * {@link DocumentIngestor}), and a record whose processing kills the stream thread again and again
 * is failed and dead-lettered after {@link #CRASHES_BEFORE_DEAD_LETTER} attempts ({@link RepeatedCrashes}).
 */
public final class IngestionTopology {

    static final String WORK_TOPIC = "ingestion-work";
    /** Times a record may kill the stream thread processing it before it is dead-lettered instead. */
    static final int CRASHES_BEFORE_DEAD_LETTER = 3;
    /**
     * How long a removal that keeps failing with an exception (its storage is down) is retried before it
     * is dead-lettered; an error is dead-lettered after {@link #CRASHES_BEFORE_DEAD_LETTER} at once.
     */
    static final Duration REMOVAL_PATIENCE = Duration.ofHours(1);

    private IngestionTopology() {
    }

    /**
     * @param tenants removes a deleted customer's datasets and objects; deletions arrive on the
     *                customer topic
     * @param metrics told of each document's outcome and each dead letter
     */
    public static Topology build(DocumentIngestor ingestor, DocumentRemoval documents, TenantRemoval tenants,
                                 IngestionMetrics metrics) {
        Topic<DocumentEvent> events = Topics.DOCUMENT_EVENTS;
        Topic<IngestionResult> results = Topics.INGESTION_RESULTS;
        Produced<String, IngestionResult> toResults = Produced.with(results.keySerde(), results.valueSerde());
        RepeatedCrashes crashes = new RepeatedCrashes(CRASHES_BEFORE_DEAD_LETTER, REMOVAL_PATIENCE);

        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, DocumentEvent> work = builder
                .stream(events.name(), Consumed.with(events.keySerde(), events.valueSerde()))
                .filter((customerId, event) -> event != null && (event.getPayload() instanceof DocumentVersionUploaded
                        || event.getPayload() instanceof DocumentDeleted))
                .processValues(RememberSource::new);

        work.filter((customerId, event) -> event.getPayload() instanceof DocumentVersionUploaded)
                .mapValues(IngestionTopology::started)
                .to(results.name(), toResults);

        // Work is keyed by document: several documents of one tenant are indexed at once (by several
        // stream threads or instances), while one document's versions and its deletion stay in order.
        // Writes to a tenant's dataset are serialised by the store; results go out keyed by tenant again.
        KStream<String, Worked> worked = work
                .selectKey((customerId, event) -> event.getDocumentId())
                .repartition(Repartitioned.<String, DocumentEvent>as(WORK_TOPIC)
                        .withKeySerde(events.keySerde())
                        .withValueSerde(events.valueSerde()))
                .mapValues(event -> new Worked(event, crashes.givenUp(event.getEventId())
                        .<IngestionOutcome>map(reason -> new IngestionOutcome.Failed(reason, false))
                        .orElseGet(() -> crashes.process(event.getEventId(), () -> switch (event.getPayload()) {
                            case DocumentDeleted deleted -> new IngestionOutcome.Removed(
                                    documents.remove(event.getCustomerId(), event.getDocumentId()));
                            default -> ingestor.ingest(jobOf(event));
                        }))))
                .selectKey((documentId, done) -> done.event().getCustomerId())
                .peek((customerId, done) -> metrics.ingested(done.outcome(), done.event().getOccurredAt()));
        worked.mapValues(Worked::result).to(results.name(), toResults);
        // Input that can never be indexed is also kept, as it was, for whoever investigates.
        worked.filter((customerId, done) -> done.outcome() instanceof IngestionOutcome.Failed failed && !failed.retryable())
                .peek((customerId, done) -> metrics.deadLettered(Topics.INGESTION_DLQ.name()))
                .processValues(() -> new DeadLetter(events))
                .to(Topics.INGESTION_DLQ.name(), Produced.with(Topics.INGESTION_DLQ.keySerde(),
                        Topics.INGESTION_DLQ.valueSerde()));

        Topic<CustomerEvent> customers = Topics.CUSTOMER_EVENTS;
        builder.stream(customers.name(), Consumed.with(customers.keySerde(), customers.valueSerde()))
                .filter((customerId, event) -> event != null && event.getPayload() instanceof CustomerDeleted)
                .foreach((customerId, event) -> tenants.remove(event.getCustomerId()));
        return builder.build();
    }

    /** What the pipeline did with one event. */
    record Worked(DocumentEvent event, IngestionOutcome outcome) {

        IngestionResult result() {
            int version = switch (event.getPayload()) {
                case DocumentDeleted deleted -> deleted.getLastVersion();
                default -> ((DocumentVersionUploaded) event.getPayload()).getVersion();
            };
            return IngestionTopology.result(event, version, outcome);
        }
    }

    /** Notes where the event was read, in headers that travel through the internal work topic. */
    static final class RememberSource implements FixedKeyProcessor<String, DocumentEvent, DocumentEvent> {

        private FixedKeyProcessorContext<String, DocumentEvent> context;

        @Override
        public void init(FixedKeyProcessorContext<String, DocumentEvent> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, DocumentEvent> record) {
            context.recordMetadata().ifPresent(source -> DeadLetterHeaders.addSource(record.headers(), source.topic(),
                    source.partition(), source.offset()));
            context.forward(record);
        }
    }

    /** The failed input, byte for byte, with the reason in the dead-letter headers. */
    static final class DeadLetter implements FixedKeyProcessor<String, Worked, byte[]> {

        private final Topic<DocumentEvent> events;
        private FixedKeyProcessorContext<String, byte[]> context;

        DeadLetter(Topic<DocumentEvent> events) {
            this.events = events;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, Worked> record) {
            IngestionOutcome.Failed failed = (IngestionOutcome.Failed) record.value().outcome();
            DeadLetterHeaders.addError(record.headers(), "permanent-ingestion-failure", failed.reason());
            context.forward(record.withValue(events.valueSerde().serializer()
                    .serialize(events.name(), record.value().event())));
        }
    }

    static IngestionJob jobOf(DocumentEvent event) {
        DocumentVersionUploaded uploaded = (DocumentVersionUploaded) event.getPayload();
        return new IngestionJob(event.getCustomerId(), event.getDocumentId(), uploaded.getVersion(),
                uploaded.getS3Key(), uploaded.getContentType(), event.getEventId(), uploaded.getChunkTokens(),
                uploaded.getChunkOverlapTokens(), uploaded.getEmbeddingModel(), uploaded.getHistoryRetentionDays());
    }

    private static IngestionResult started(DocumentEvent event) {
        return envelope(event, ((DocumentVersionUploaded) event.getPayload()).getVersion(),
                IngestionStarted.newBuilder().build());
    }

    static IngestionResult result(DocumentEvent event, int version, IngestionOutcome outcome) {
        Object avro = switch (outcome) {
            case IngestionOutcome.Indexed indexed -> IndexingStatsAvro.toSucceeded(indexed.stats());
            case IngestionOutcome.Failed failed -> IngestionFailed.newBuilder()
                    .setReason(failed.reason())
                    .setRetryable(failed.retryable())
                    .build();
            case IngestionOutcome.Removed removed -> DocumentRemoved.newBuilder()
                    .setLanceVersion(removed.lanceVersion())
                    .build();
        };
        return envelope(event, version, avro);
    }

    private static IngestionResult envelope(DocumentEvent event, int version, Object outcome) {
        return IngestionResult.newBuilder()
                .setCustomerId(event.getCustomerId())
                .setDocumentId(event.getDocumentId())
                .setVersion(version)
                .setSourceEventId(event.getEventId())
                .setProducedAt(Instant.now())
                .setOutcome(outcome)
                .build();
    }
}
