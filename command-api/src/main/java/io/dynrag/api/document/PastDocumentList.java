package io.dynrag.api.document;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentIngestionStarted;
import io.dynrag.domain.document.DocumentMetadata;
import io.dynrag.domain.document.DocumentMetadataChanged;
import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.DocumentStatus;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.domain.document.filter.DocumentFilter;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.persistence.Statements;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.common.jdbc.ConnectionProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The document list as it was at an instant. The documents read model's {@link DocumentHistory} answers by index
 * when it is known to hold every event until then; otherwise the list is rebuilt from the event store: every event
 * of the customer's documents until then, folded as the read model folds them, then filtered, ordered and paged in
 * memory like {@link DocumentListing}, which takes time in proportion to the customer's events.
 *
 * <p>The history trails the event store: it has applied the customer's events up to its {@code appliedUntil} (the
 * latest applied event's time). Events reach it in the order the publisher reads them from the event store, which
 * can differ from the order of their times by as long as a command's transaction takes to commit: an event stamped
 * a little earlier may still come after the latest applied one. So the history answers for instants from its
 * {@code completeFrom} to {@link #SETTLING} before {@code appliedUntil}, and the event store, always exact, for the
 * rest: instants near now, those before the history began, and those of a customer whose last change is recent.
 */
public final class PastDocumentList {

    /** How much earlier than the latest applied event an event not yet applied may be stamped. */
    static final Duration SETTLING = Duration.ofSeconds(5);

    private static final Set<String> TYPES = Set.of(DocumentVersionUploaded.class.getName(),
            DocumentMetadataChanged.class.getName(), DocumentIngestionStarted.class.getName(),
            DocumentVersionIndexed.class.getName(), DocumentVersionFailed.class.getName(),
            DocumentDeleted.class.getName());

    private final Statements statements;
    private final DocumentHistory history;
    private final ObjectMapper events = Json.eventMapper();

    public PastDocumentList(ConnectionProvider connections, DocumentHistory history) {
        this.statements = new Statements(connections, "event store");
        this.history = history;
    }

    private record Stored(String documentId, Instant at, Object payload) {
    }

    /** The page {@code query} selects among the documents as they were at {@code asOf} (inclusive). */
    public List<DocumentListItem> list(DocumentQuery query, Instant asOf) {
        if (historyHolds(query.customerId(), asOf)) {
            return history.list(query, asOf);
        }
        Comparator<DocumentListItem> order = order(query);
        return documents(query.customerId(), asOf).stream()
                .filter(item -> selected(query, item))
                .filter(item -> query.after() == null || order.compare(item, position(query)) > 0)
                .sorted(order)
                .limit(query.limit())
                .toList();
    }

    /** Ids of the customer's documents, deleted ones aside, that the filter kept at {@code asOf} (inclusive). */
    public Set<String> matching(String customerId, DocumentFilter filter, Instant asOf) {
        if (historyHolds(customerId, asOf)) {
            return history.matching(customerId, filter, asOf);
        }
        return documents(customerId, asOf).stream()
                .filter(document -> !"DELETED".equals(document.status()))
                .filter(document -> filter.matches(document.filtered()))
                .map(DocumentListItem::documentId)
                .collect(Collectors.toSet());
    }

    /** Whether the history has every event of the customer's documents until {@code asOf} (see above). */
    private boolean historyHolds(String customerId, Instant asOf) {
        return history.span(customerId).filter(span -> !asOf.isBefore(span.completeFrom())
                && !asOf.isAfter(span.appliedUntil().minus(SETTLING))).isPresent();
    }

    /**
     * Every document of the customer as it was at {@code asOf} (inclusive), deleted ones with the status DELETED,
     * in no particular order, rebuilt from the event store.
     */
    private List<DocumentListItem> documents(String customerId, Instant asOf) {
        // Stored times are UTC text with whole milliseconds, which sorts like the instants.
        String until = DateTimeUtils.formatInstant(asOf.truncatedTo(ChronoUnit.MILLIS));
        List<Stored> stored = statements.query(row -> new Stored(row.getString("aggregate_identifier"),
                        DateTimeUtils.parseInstant(row.getString("time_stamp")),
                        TYPES.contains(row.getString("payload_type"))
                                ? payload(row.getString("payload_type"), row.getBytes("payload")) : null), """
                        SELECT aggregate_identifier, time_stamp, payload_type, payload FROM domain_event_entry
                        WHERE aggregate_identifier IN (SELECT document_id FROM document_state WHERE customer_id = ?)
                          AND time_stamp <= ?
                        ORDER BY aggregate_identifier, sequence_number""",
                customerId, until);
        Map<String, DocumentListItem> documents = new LinkedHashMap<>();
        for (Stored event : stored) {
            DocumentListItem before = documents.get(event.documentId());
            DocumentListItem after = switch (event.payload()) {
                case DocumentVersionUploaded e -> new DocumentListItem(e.documentId(), e.title(),
                        DocumentStatus.PENDING.name(), e.contentType(), e.bytes(), e.version(),
                        before == null ? event.at() : before.createdAt(), event.at(), e.metadata());
                case DocumentMetadataChanged e -> before == null ? null : with(before, e.title(), before.status(),
                        e.metadata(), event.at());
                case DocumentIngestionStarted e -> status(before, e.version(), DocumentStatus.PROCESSING, event.at());
                case DocumentVersionIndexed e -> status(before, e.version(), DocumentStatus.INDEXED, event.at());
                case DocumentVersionFailed e -> status(before, e.version(), DocumentStatus.FAILED, event.at());
                case DocumentDeleted e -> before == null ? null
                        : with(before, before.title(), "DELETED", before.metadata(), event.at());
                case null, default -> before == null ? null
                        : with(before, before.title(), before.status(), before.metadata(), event.at());
            };
            if (after != null) {
                documents.put(event.documentId(), after);
            }
        }
        return List.copyOf(documents.values());
    }

    private Object payload(String type, byte[] json) {
        try {
            return events.readValue(json, Class.forName(type));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a stored document event", e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("a stored document event of an unknown type: " + type, e);
        }
    }

    /** A status of the latest version; an outcome of an earlier one changes only the time. */
    private static DocumentListItem status(DocumentListItem before, int version, DocumentStatus status, Instant at) {
        if (before == null) {
            return null;
        }
        boolean latest = before.version() == version && !"DELETED".equals(before.status());
        return with(before, before.title(), latest ? status.name() : before.status(), before.metadata(), at);
    }

    private static DocumentListItem with(DocumentListItem item, String title, String status,
                                         Map<String, Object> metadata, Instant at) {
        return new DocumentListItem(item.documentId(), title, status, item.contentType(), item.bytes(),
                item.version(), item.createdAt(), at, metadata);
    }

    private static boolean selected(DocumentQuery query, DocumentListItem item) {
        boolean status = query.statuses().isEmpty() ? !"DELETED".equals(item.status())
                : query.statuses().contains(item.status());
        List<String> terms = DocumentMetadata.terms(item.metadata());
        return status
                && (query.contentTypes().isEmpty() || query.contentTypes().contains(item.contentType()))
                && (query.createdFrom() == null || !item.createdAt().isBefore(query.createdFrom()))
                && (query.createdTo() == null || item.createdAt().isBefore(query.createdTo()))
                && (query.updatedFrom() == null || !item.updatedAt().isBefore(query.updatedFrom()))
                && (query.updatedTo() == null || item.updatedAt().isBefore(query.updatedTo()))
                && (query.titlePrefix() == null || item.title().startsWith(query.titlePrefix()))
                && query.filter().matches(item.filtered())
                && query.metadata().entrySet().stream().allMatch(filter -> filter.getValue().stream()
                        .flatMap(value -> DocumentMetadata.termsMatching(filter.getKey(), value).stream())
                        .anyMatch(terms::contains));
    }

    private static Comparator<DocumentListItem> order(DocumentQuery query) {
        Comparator<DocumentListItem> byValue = switch (query.sort()) {
            case UPDATED_AT -> Comparator.comparing(DocumentListItem::updatedAt);
            case CREATED_AT -> Comparator.comparing(DocumentListItem::createdAt);
            case TITLE -> Comparator.comparing(DocumentListItem::title);
        };
        Comparator<DocumentListItem> ascending = byValue.thenComparing(DocumentListItem::documentId);
        return query.descending() ? ascending.reversed() : ascending;
    }

    /** The previous page's last document, as far as the order needs it. */
    private static DocumentListItem position(DocumentQuery query) {
        String value = query.after().sortValue();
        Instant at = query.sort() == DocumentQuery.Sort.TITLE ? Instant.EPOCH : Instant.parse(value);
        return new DocumentListItem(query.after().documentId(), value, null, null, 0, 0, at, at, Map.of());
    }
}
