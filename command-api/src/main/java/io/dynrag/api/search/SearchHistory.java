package io.dynrag.api.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.api.document.RetainedVersions;
import io.dynrag.domain.customer.CustomerConfigurationChanged;
import io.dynrag.domain.customer.CustomerRegistered;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.platform.persistence.Statements;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * What a customer's search read at a past instant, rebuilt from the event store: the embedding
 * model configured then and the dataset version recorded by the last document version indexed with
 * it by then. (Documents deleted since are left out of every search, see {@link SearchService}.)
 *
 * <p>Search always reads the latest dataset version, and every version the pipeline writes is
 * recorded by the {@code DocumentVersionIndexed} event that follows it, so the recorded version is
 * the one search read, except in the moment between the write and its event.
 *
 * <p>The cleanup of a dataset's history keeps the version that was the latest at the start of the
 * retained window, which may be later than the one recorded then: versions written in between that
 * no event records (a deleted document's removal, a compaction, a vector index, the cleanup's own)
 * hold the same rows of the documents not deleted, so that one is read instead.
 */
public final class SearchHistory {

    private final EventStore eventStore;
    private final Statements statements;
    private final ObjectMapper eventMapper;
    private final RetainedVersions retained;

    /** @param eventMapper the mapper the event store serialises payloads with */
    public SearchHistory(EventStore eventStore, ThreadBoundTransactionManager transactions, ObjectMapper eventMapper,
                         RetainedVersions retained) {
        this.eventStore = eventStore;
        this.statements = new Statements(transactions, "event store");
        this.eventMapper = eventMapper;
        this.retained = retained;
    }

    /**
     * @param model          the customer's embedding model then; empty before the customer existed
     * @param datasetVersion empty when nothing had been indexed with that model yet
     */
    public record PastIndex(Optional<String> model, OptionalLong datasetVersion) {
    }

    public PastIndex asOf(String customerId, Instant at) {
        Optional<String> model = modelAsOf(customerId, at);
        if (model.isEmpty()) {
            return new PastIndex(model, OptionalLong.empty());
        }
        long datasetVersion = 0;
        // Read-only and by primary key per document, so it takes no lock the pipeline waits for.
        List<RecordedEvent> events = statements.query(row -> new RecordedEvent(row.getBytes(1),
                        Instant.parse(row.getString(2))), """
                        SELECT e.payload, e.time_stamp
                        FROM document_state d
                        JOIN domain_event_entry e ON e.aggregate_identifier = d.document_id
                        WHERE d.customer_id = ? AND e.payload_type = ?""",
                customerId, DocumentVersionIndexed.class.getName());
        for (RecordedEvent event : events) {
            // Stored timestamps are ISO strings of varying precision: compared as instants, not in SQL.
            if (event.at().isAfter(at)) {
                continue;
            }
            DocumentVersionIndexed indexed = read(event, DocumentVersionIndexed.class);
            if (indexed.stats().model().equals(model.get())) {
                datasetVersion = Math.max(datasetVersion, indexed.stats().lanceVersion());
            }
        }
        if (datasetVersion == 0) {
            return new PastIndex(model, OptionalLong.empty());
        }
        OptionalLong earliest = retained.earliest(customerId, model.get());
        return new PastIndex(model, OptionalLong.of(Math.max(datasetVersion, earliest.orElse(datasetVersion))));
    }

    /** Where a search within one document version reads its rows ({@link RetainedVersions#readable}). */
    public OptionalLong readable(String customerId, String model, long recorded, BooleanSupplier latestOfLiveDocument) {
        return retained.readable(customerId, model, recorded, latestOfLiveDocument);
    }

    private Optional<String> modelAsOf(String customerId, Instant at) {
        Optional<String> model = Optional.empty();
        for (DomainEventMessage<?> event : eventStore.readEvents(customerId, 0L).asStream().toList()) {
            if (event.getTimestamp().isAfter(at)) {
                break;
            }
            switch (event.getPayload()) {
                case CustomerRegistered registered ->
                        model = Optional.of(registered.configuration().embeddingModel());
                case CustomerConfigurationChanged changed ->
                        model = Optional.of(changed.configuration().embeddingModel());
                default -> {
                }
            }
        }
        return model;
    }

    private <T> T read(RecordedEvent event, Class<T> type) {
        try {
            return eventMapper.readValue(event.payload(), type);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read a stored " + type.getSimpleName(), e);
        }
    }

    private record RecordedEvent(byte[] payload, Instant at) {
    }
}
