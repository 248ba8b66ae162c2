package io.dynrag.api.document;

import io.dynrag.domain.document.DocumentIngestionStarted;
import io.dynrag.domain.document.DocumentStatus;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;

import java.util.List;
import java.util.Optional;

/**
 * Reads a document straight from its events. The read model lags the event store by a
 * moment; this answers in that moment, so a client can read its own upload at once.
 */
public final class EventStoreDocumentLookup implements DocumentLookup {

    private final EventStore eventStore;

    public EventStoreDocumentLookup(EventStore eventStore) {
        this.eventStore = eventStore;
    }

    @Override
    public Optional<DocumentView> find(String customerId, String documentId) {
        List<? extends DomainEventMessage<?>> events = eventStore.readEvents(documentId, 0L).asStream().toList();
        boolean owned = events.stream()
                .map(DomainEventMessage::getPayload)
                .anyMatch(p -> p instanceof DocumentVersionUploaded uploaded && uploaded.customerId().equals(customerId));
        if (!owned) {
            return Optional.empty();
        }
        DocumentView view = null;
        for (DomainEventMessage<?> event : events) {
            view = apply(view, event);
        }
        return Optional.ofNullable(view);
    }

    private static DocumentView apply(DocumentView view, DomainEventMessage<?> event) {
        return switch (event.getPayload()) {
            case DocumentVersionUploaded e -> new DocumentView(e.documentId(), e.title(), e.contentType(), e.bytes(),
                    e.version(), DocumentStatus.PENDING.name(), null, null, null, event.getTimestamp());
            case DocumentIngestionStarted e when view != null && view.version() == e.version() ->
                    withStatus(view, DocumentStatus.PROCESSING, null, null, null, event);
            case DocumentVersionIndexed e when view != null && view.version() == e.version() ->
                    withStatus(view, DocumentStatus.INDEXED, e.stats().chunks(), e.stats().tokens(), null, event);
            case DocumentVersionFailed e when view != null && view.version() == e.version() ->
                    withStatus(view, DocumentStatus.FAILED, null, null, e.reason(), event);
            default -> view;
        };
    }

    private static DocumentView withStatus(DocumentView view, DocumentStatus status, Integer chunks, Long tokens,
                                           String reason, DomainEventMessage<?> event) {
        return new DocumentView(view.documentId(), view.title(), view.contentType(), view.bytes(), view.version(),
                status.name(), chunks, tokens, reason, event.getTimestamp());
    }
}
