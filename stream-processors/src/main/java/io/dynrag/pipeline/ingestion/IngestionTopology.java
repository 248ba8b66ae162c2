package io.dynrag.pipeline.ingestion;

import io.dynrag.schemas.Topic;
import io.dynrag.pipeline.tenant.TenantRemoval;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.ingestion.IngestionFailed;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.ingestion.IngestionStarted;
import io.dynrag.schemas.ingestion.IngestionSucceeded;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

import java.time.Instant;

/**
 * The ingestion topology, built by a plain static method so tests drive exactly what runs.
 *
 * <pre>
 * document-events --(uploads)--+--> IngestionStarted ------------------------> ingestion-results
 *                              +--> [ingestion-work] --> index the document --> ingestion-results
 * customer-events --(deleted)-----> remove the tenant's datasets and stored objects
 * </pre>
 *
 * The internal {@code ingestion-work} topic separates acknowledging an upload from indexing
 * it: under exactly-once its records become readable only once the transaction holding the
 * {@code IngestionStarted} marker has committed, so a document shows as PROCESSING before
 * its indexing (which can take seconds) begins. Records stay keyed by customer, so one
 * tenant's dataset has a single writer.
 */
public final class IngestionTopology {

    static final String WORK_TOPIC = "ingestion-work";

    private IngestionTopology() {
    }

    /**
     * @param tenants removes a deleted customer's datasets and objects; deletions arrive on the
     *                customer topic
     */
    public static Topology build(DocumentIngestor ingestor, TenantRemoval tenants) {
        Topic<DocumentEvent> events = Topics.DOCUMENT_EVENTS;
        Topic<IngestionResult> results = Topics.INGESTION_RESULTS;
        Produced<String, IngestionResult> toResults = Produced.with(results.keySerde(), results.valueSerde());

        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, DocumentEvent> uploads = builder
                .stream(events.name(), Consumed.with(events.keySerde(), events.valueSerde()))
                .filter((customerId, event) -> event != null && event.getPayload() instanceof DocumentVersionUploaded);

        uploads.mapValues(IngestionTopology::started).to(results.name(), toResults);

        uploads.repartition(Repartitioned.<String, DocumentEvent>as(WORK_TOPIC)
                        .withKeySerde(events.keySerde())
                        .withValueSerde(events.valueSerde()))
                .mapValues(event -> result(event, ingestor.ingest(jobOf(event))))
                .to(results.name(), toResults);

        Topic<CustomerEvent> customers = Topics.CUSTOMER_EVENTS;
        builder.stream(customers.name(), Consumed.with(customers.keySerde(), customers.valueSerde()))
                .filter((customerId, event) -> event != null && event.getPayload() instanceof CustomerDeleted)
                .foreach((customerId, event) -> tenants.remove(event.getCustomerId()));
        return builder.build();
    }

    static IngestionJob jobOf(DocumentEvent event) {
        DocumentVersionUploaded uploaded = (DocumentVersionUploaded) event.getPayload();
        return new IngestionJob(event.getCustomerId(), event.getDocumentId(), uploaded.getVersion(),
                uploaded.getS3Key(), uploaded.getContentType(), event.getEventId(), uploaded.getChunkTokens(),
                uploaded.getChunkOverlapTokens(), uploaded.getEmbeddingModel());
    }

    private static IngestionResult started(DocumentEvent event) {
        return envelope(event, IngestionStarted.newBuilder().build());
    }

    private static IngestionResult result(DocumentEvent event, IngestionOutcome outcome) {
        Object avro = switch (outcome) {
            case IngestionOutcome.Indexed indexed -> IngestionSucceeded.newBuilder()
                    .setChunks(indexed.chunks())
                    .setTokens(indexed.tokens())
                    .setEmbeddedTokens(indexed.embeddedTokens())
                    .setReusedChunks(indexed.reusedChunks())
                    .setLanceVersion(indexed.lanceVersion())
                    .setModel(indexed.model())
                    .setStageMillis(indexed.stageMillis())
                    .build();
            case IngestionOutcome.Failed failed -> IngestionFailed.newBuilder()
                    .setReason(failed.reason())
                    .setRetryable(failed.retryable())
                    .build();
        };
        return envelope(event, avro);
    }

    private static IngestionResult envelope(DocumentEvent event, Object outcome) {
        return IngestionResult.newBuilder()
                .setCustomerId(event.getCustomerId())
                .setDocumentId(event.getDocumentId())
                .setVersion(((DocumentVersionUploaded) event.getPayload()).getVersion())
                .setSourceEventId(event.getEventId())
                .setProducedAt(Instant.now())
                .setOutcome(outcome)
                .build();
    }
}
