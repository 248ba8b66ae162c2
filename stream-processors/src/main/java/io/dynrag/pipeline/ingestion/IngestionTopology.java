package io.dynrag.pipeline.ingestion;

import io.dynrag.schemas.Topic;
import io.dynrag.pipeline.tenant.TenantRemoval;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.ingestion.DocumentRemoved;
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
 * document-events --(uploads, deletions)--+--> IngestionStarted (uploads) --------------------> ingestion-results
 *                                        +--> [ingestion-work] --> index / remove the document --> ingestion-results
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
    public static Topology build(DocumentIngestor ingestor, DocumentRemoval documents, TenantRemoval tenants) {
        Topic<DocumentEvent> events = Topics.DOCUMENT_EVENTS;
        Topic<IngestionResult> results = Topics.INGESTION_RESULTS;
        Produced<String, IngestionResult> toResults = Produced.with(results.keySerde(), results.valueSerde());

        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, DocumentEvent> work = builder
                .stream(events.name(), Consumed.with(events.keySerde(), events.valueSerde()))
                .filter((customerId, event) -> event != null && (event.getPayload() instanceof DocumentVersionUploaded
                        || event.getPayload() instanceof DocumentDeleted));

        work.filter((customerId, event) -> event.getPayload() instanceof DocumentVersionUploaded)
                .mapValues(IngestionTopology::started)
                .to(results.name(), toResults);

        // Deletions travel with the uploads, so a tenant's dataset sees them in the order they happened.
        work.repartition(Repartitioned.<String, DocumentEvent>as(WORK_TOPIC)
                        .withKeySerde(events.keySerde())
                        .withValueSerde(events.valueSerde()))
                .mapValues(event -> switch (event.getPayload()) {
                    case DocumentDeleted deleted -> result(event, deleted.getLastVersion(),
                            new IngestionOutcome.Removed(documents.remove(event.getCustomerId(), event.getDocumentId())));
                    default -> result(event, ((DocumentVersionUploaded) event.getPayload()).getVersion(),
                            ingestor.ingest(jobOf(event)));
                })
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
        return envelope(event, ((DocumentVersionUploaded) event.getPayload()).getVersion(),
                IngestionStarted.newBuilder().build());
    }

    private static IngestionResult result(DocumentEvent event, int version, IngestionOutcome outcome) {
        Object avro = switch (outcome) {
            case IngestionOutcome.Indexed indexed -> IngestionSucceeded.newBuilder()
                    .setChunks(indexed.chunks())
                    .setTokens(indexed.tokens())
                    .setEmbeddedTokens(indexed.embeddedTokens())
                    .setReusedChunks(indexed.reusedChunks())
                    .setLanceVersion(indexed.lanceVersion())
                    .setModel(indexed.model())
                    .setStageMillis(indexed.stageMillis())
                    .setCharacters(indexed.characters())
                    .setPages(indexed.pages())
                    .setMeteredTokens(indexed.meteredTokens())
                    .setCostMicroUsd(indexed.costMicroUsd())
                    .build();
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
