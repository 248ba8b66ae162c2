package io.dynrag.domain.document;

import io.dynrag.domain.document.filter.DocumentFilter;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One page of a customer's document list: which documents, in which order, from where. The API builds it from a
 * request and the documents read model answers it, so both read the same terms.
 *
 * @param statuses      the statuses to list; empty lists every document that is not deleted
 * @param contentTypes  the media types to list; empty for all
 * @param createdFrom   inclusive lower bound of when the first version was uploaded, or null
 * @param createdTo     exclusive upper bound, or null
 * @param updatedFrom   inclusive lower bound of the last change, or null
 * @param updatedTo     exclusive upper bound, or null
 * @param titlePrefix   what the title starts with (case-sensitive), or null
 * @param metadata      metadata key to the values it may equal (any of them); every key must match. A value
 *                      matches a string equal to it, a number or boolean it reads as, or a list holding it
 * @param filter        what else the documents must match ({@link DocumentFilter#EVERYTHING} for nothing else)
 * @param after         where the previous page ended, or null for the first page
 * @param limit         how many documents at most
 */
public record DocumentQuery(
        String customerId,
        Set<String> statuses,
        Set<String> contentTypes,
        Instant createdFrom,
        Instant createdTo,
        Instant updatedFrom,
        Instant updatedTo,
        String titlePrefix,
        Map<String, List<String>> metadata,
        DocumentFilter filter,
        Sort sort,
        boolean descending,
        Position after,
        int limit) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    public DocumentQuery {
        statuses = Set.copyOf(statuses);
        contentTypes = Set.copyOf(contentTypes);
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(filter, "filter");
        if (limit < 1 || limit > MAX_LIMIT + 1) {
            throw new IllegalArgumentException("a page holds 1-" + MAX_LIMIT + " documents, not " + limit);
        }
    }

    /** What the list is ordered by; ties are ordered by document id, so every position is exact. */
    public enum Sort { UPDATED_AT, CREATED_AT, TITLE }

    /**
     * The last document of the previous page.
     *
     * @param sortValue its title, or its instant ({@link Instant#toString()}) for the time orders
     */
    public record Position(String sortValue, String documentId) {
    }

    /** The same query for one more document than asked: whether it exists tells if there is a next page. */
    public DocumentQuery oneMore() {
        return new DocumentQuery(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                titlePrefix, metadata, filter, sort, descending, after, limit + 1);
    }
}
