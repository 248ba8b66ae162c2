package io.dynrag.api.document;

import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentIngestionStarted;
import io.dynrag.domain.document.DocumentMetadataChanged;
import io.dynrag.domain.document.DocumentStatus;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.domain.document.IndexingStats;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * Reads a document straight from its events. The read model lags the event store by a
 * moment; this answers in that moment, so a client can read its own upload at once. Reading only
 * the events up to an instant gives the document as it was then.
 */
public final class EventStoreDocumentLookup implements DocumentLookup {

    private final EventStore eventStore;

    public EventStoreDocumentLookup(EventStore eventStore) {
        this.eventStore = eventStore;
    }

    @Override
    public Optional<DocumentView> find(String customerId, String documentId) {
        return findAsOf(customerId, documentId, Instant.MAX);
    }

    @Override
    public List<DocumentView> versions(String customerId, String documentId) {
        return versionsAsOf(customerId, documentId, Instant.MAX);
    }

    /**
     * The document as it was at {@code asOf}, rebuilt from the events recorded until then
     * (inclusive); empty when it did not exist yet, or is another tenant's.
     */
    public Optional<DocumentView> findAsOf(String customerId, String documentId, Instant asOf) {
        List<? extends DomainEventMessage<?>> events = ownedEvents(customerId, documentId, asOf);
        SequencedMap<Integer, DocumentView> byVersion = new LinkedHashMap<>();
        events.forEach(event -> apply(byVersion, event));
        return current(byVersion, events.stream().anyMatch(event -> event.getPayload() instanceof DocumentDeleted));
    }

    /** The document as one of its events left it: {@code sequence} is that event's sequence number. */
    public record Change(long sequence, DocumentView view) {
    }

    /**
     * The document as each of its events numbered {@code fromSequence} or later left it, oldest first,
     * in one read of its events; when there are no such events, its current state alone. Empty when the
     * document is unknown or another tenant's.
     */
    public List<Change> changesSince(String customerId, String documentId, long fromSequence) {
        List<? extends DomainEventMessage<?>> events = ownedEvents(customerId, documentId, Instant.MAX);
        SequencedMap<Integer, DocumentView> byVersion = new LinkedHashMap<>();
        boolean deleted = false;
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            DomainEventMessage<?> event = events.get(i);
            apply(byVersion, event);
            deleted |= event.getPayload() instanceof DocumentDeleted;
            boolean wanted = event.getSequenceNumber() >= fromSequence || (changes.isEmpty() && i == events.size() - 1);
            if (wanted) {
                current(byVersion, deleted).ifPresent(view -> changes.add(new Change(event.getSequenceNumber(), view)));
            }
        }
        return changes;
    }

    /** Every version as it was at {@code asOf}, oldest first; empty when the document did not exist yet. */
    public List<DocumentView> versionsAsOf(String customerId, String documentId, Instant asOf) {
        return versionsOf(ownedEvents(customerId, documentId, asOf));
    }

    /** Where a version's bytes are stored, and what they are. */
    public record StoredVersion(int version, String s3Key, String contentType, long bytes) {
    }

    /** Where the bytes of one version are stored; empty for a version the document does not have. */
    public Optional<StoredVersion> storedVersion(String customerId, String documentId, int version) {
        return ownedEvents(customerId, documentId, Instant.MAX).stream()
                .map(DomainEventMessage::getPayload)
                .filter(payload -> payload instanceof DocumentVersionUploaded uploaded && uploaded.version() == version)
                .map(payload -> (DocumentVersionUploaded) payload)
                .map(uploaded -> new StoredVersion(uploaded.version(), uploaded.s3Key(), uploaded.contentType(),
                        uploaded.bytes()))
                .findFirst();
    }

    /** The document's events until {@code asOf}, or none when they are another tenant's. */
    private List<? extends DomainEventMessage<?>> ownedEvents(String customerId, String documentId, Instant asOf) {
        List<? extends DomainEventMessage<?>> events = eventStore.readEvents(documentId, 0L).asStream()
                .filter(event -> !event.getTimestamp().isAfter(asOf))
                .toList();
        boolean owned = events.stream()
                .map(DomainEventMessage::getPayload)
                .anyMatch(p -> p instanceof DocumentVersionUploaded uploaded && uploaded.customerId().equals(customerId));
        return owned ? events : List.of();
    }

    private static List<DocumentView> versionsOf(List<? extends DomainEventMessage<?>> events) {
        SequencedMap<Integer, DocumentView> byVersion = new LinkedHashMap<>();
        events.forEach(event -> apply(byVersion, event));
        return new ArrayList<>(byVersion.values());
    }

    /** The latest version as the document shows it; empty before the first upload. */
    private static Optional<DocumentView> current(SequencedMap<Integer, DocumentView> byVersion, boolean deleted) {
        if (byVersion.isEmpty()) {
            return Optional.empty();
        }
        DocumentView latest = byVersion.lastEntry().getValue();
        return Optional.of(deleted ? withStatus(latest, "DELETED", latest.failureReason(), latest.updatedAt())
                : withoutStages(latest));
    }

    private static void apply(SequencedMap<Integer, DocumentView> byVersion, DomainEventMessage<?> event) {
        switch (event.getPayload()) {
            case DocumentVersionUploaded e -> byVersion.put(e.version(), DocumentView.of(e.documentId(),
                    e.title(), e.metadata(), e.contentType(), e.bytes(), e.version(), DocumentStatus.PENDING.name(), null, null,
                    null, event.getTimestamp()));
            case DocumentIngestionStarted e -> byVersion.computeIfPresent(e.version(), (v, view) ->
                    withStatus(view, DocumentStatus.PROCESSING.name(), null, event.getTimestamp()));
            case DocumentVersionIndexed e -> byVersion.computeIfPresent(e.version(), (v, view) ->
                    indexed(view, e.stats(), event));
            case DocumentVersionFailed e -> byVersion.computeIfPresent(e.version(), (v, view) ->
                    withStatus(view, DocumentStatus.FAILED.name(), e.reason(), event.getTimestamp()));
            case DocumentMetadataChanged e -> {
                if (!byVersion.isEmpty()) {
                    DocumentView latest = byVersion.lastEntry().getValue();
                    byVersion.put(latest.version(), latest.describedAs(e.title(), e.metadata(), event.getTimestamp()));
                }
            }
            default -> {
            }
        }
    }

    private static DocumentView indexed(DocumentView view, IndexingStats stats, DomainEventMessage<?> event) {
        return DocumentView.of(view.documentId(), view.title(), view.metadata(), view.contentType(), view.bytes(),
                view.version(), DocumentStatus.INDEXED.name(), stats, null, stats.stageMillis(), event.getTimestamp());
    }

    private static DocumentView withStatus(DocumentView view, String status, String reason,
                                           Instant at) {
        return new DocumentView(view.documentId(), view.title(), view.metadata(), view.contentType(), view.bytes(),
                view.version(), status, view.chunks(), view.tokens(), view.meteredTokens(), view.embeddedTokens(),
                view.reusedChunks(), view.characters(), view.pages(), view.costUsd(), view.model(), view.lanceVersion(), reason, null, at,
                null);
    }

    private static DocumentView withoutStages(DocumentView view) {
        return withStatus(view, view.status(), view.failureReason(), view.updatedAt());
    }
}
