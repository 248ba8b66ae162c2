package io.dynrag.api.document;

import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.filter.DocumentFilter;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every state the customer's documents were in, each with when it held (the documents read model's history): the
 * list as of an instant by index. It follows the event store by a moment, so its answers are exact only within the
 * customer's {@link Span}; {@link PastDocumentList} decides when to ask it.
 */
public interface DocumentHistory {

    /**
     * @param completeFrom the first instant the history holds every state of ({@link Instant#MIN}: all along)
     * @param appliedUntil the time of the latest event of the customer's documents the history has applied
     */
    record Span(Instant completeFrom, Instant appliedUntil) {
    }

    /** Empty while no event of the customer's documents has reached the history. */
    Optional<Span> span(String customerId);

    /** As {@link DocumentListing#list}, among the documents as they were at {@code asOf} (inclusive). */
    List<DocumentListItem> list(DocumentQuery query, Instant asOf);

    /** As {@link DocumentListing#matching}, among the documents as they were at {@code asOf} (inclusive). */
    Set<String> matching(String customerId, DocumentFilter filter, Instant asOf);
}
