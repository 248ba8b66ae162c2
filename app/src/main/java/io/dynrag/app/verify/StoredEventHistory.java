package io.dynrag.app.verify;

import io.dynrag.api.axon.EventSourcing;
import io.dynrag.api.document.DocumentStates;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;

import javax.sql.DataSource;
import java.util.List;

/** The event store's tables read directly, without starting Axon. */
public final class StoredEventHistory implements EventHistory {

    private final JdbcEventStorageEngine storage;
    private final DocumentStates documentStates;

    /** @param commandSchema connections on the command schema */
    public StoredEventHistory(DataSource commandSchema) {
        ThreadBoundTransactionManager transactions = new ThreadBoundTransactionManager(commandSchema);
        this.storage = EventSourcing.storageEngine(transactions, Json.eventMapper());
        this.documentStates = new DocumentStates(transactions);
    }

    @Override
    public List<Object> eventsOf(String aggregateId) {
        // From sequence 0: snapshots are not events, and every event counts here.
        return storage.readEvents(aggregateId, 0L).asStream().map(DomainEventMessage::getPayload)
                .map(Object.class::cast).toList();
    }

    /** The customer's documents as the command side's own table lists them, kept with every upload. */
    @Override
    public List<String> documentIdsOf(String customerId) {
        return documentStates.documentIdsOf(customerId);
    }
}
