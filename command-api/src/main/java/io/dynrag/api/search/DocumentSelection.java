package io.dynrag.api.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.api.document.DocumentListing;
import io.dynrag.api.document.PastDocumentList;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.domain.document.filter.DocumentFilter;
import io.dynrag.domain.document.filter.FilterParser;
import io.dynrag.platform.http.Json;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The documents a search request keeps by its {@code filter} and {@code documentIds}, checked when the request is
 * read and resolved to document ids against the documents as they are now (the read model, one query) or as they
 * were at an instant (the read model's history, or the event store; see {@link PastDocumentList}). Ids the customer has no document of keep nothing.
 */
final class DocumentSelection {

    static final int MAX_DOCUMENT_IDS = 1_000;
    private static final ObjectMapper JSON = Json.apiMapper();

    private final DocumentFilter filter;
    private final Optional<Set<String>> documentIds;

    private DocumentSelection(DocumentFilter filter, Optional<Set<String>> documentIds) {
        this.filter = filter;
        this.documentIds = documentIds;
    }

    /**
     * @param filter      the request's filter as read from JSON; null for none
     * @param documentIds the request's ids; null for none
     * @throws DomainRuleViolation naming the offending part of the request
     */
    static DocumentSelection of(Object filter, List<String> documentIds) {
        DocumentFilter parsed = FilterParser.parse(filter, filter == null ? 0 : jsonBytes(filter), "/filter");
        if (documentIds == null) {
            return new DocumentSelection(parsed, Optional.empty());
        }
        if (documentIds.size() > MAX_DOCUMENT_IDS) {
            throw new DomainRuleViolation("'documentIds' may name at most " + MAX_DOCUMENT_IDS + " documents, not "
                    + documentIds.size());
        }
        for (int i = 0; i < documentIds.size(); i++) {
            if (documentIds.get(i) == null || documentIds.get(i).indexOf('\u0000') >= 0) {
                throw new DomainRuleViolation("'documentIds' at /documentIds/" + i + " must be a document id, not "
                        + (documentIds.get(i) == null ? "null" : "text with the NUL character (U+0000)"));
            }
        }
        return new DocumentSelection(parsed, Optional.of(Set.copyOf(documentIds)));
    }

    /** {@code scope} narrowed to the selected documents as they are now. */
    SearchScope now(SearchScope scope, String customerId, DocumentListing documents) {
        SearchScope named = named(scope);
        return filtered() ? named.onlyDocuments(documents.matching(customerId, filter)) : named;
    }

    /** {@code scope} narrowed to the selected documents as they were at {@code at}. */
    SearchScope asOf(SearchScope scope, String customerId, Instant at, PastDocumentList past) {
        SearchScope named = named(scope);
        if (!filtered()) {
            return named;
        }
        return named.onlyDocuments(past.matching(customerId, filter, at));
    }

    /** Whether a scope keeps no document at all, so that searching it would find nothing. */
    static boolean keepsNothing(SearchScope scope) {
        return scope.documents().map(Set::isEmpty).orElse(false);
    }

    private SearchScope named(SearchScope scope) {
        return documentIds.map(scope::onlyDocuments).orElse(scope);
    }

    private boolean filtered() {
        return !filter.equals(DocumentFilter.EVERYTHING);
    }

    private static int jsonBytes(Object filter) {
        try {
            return JSON.writeValueAsBytes(filter).length;
        } catch (JsonProcessingException e) {
            throw new DomainRuleViolation("'filter' cannot be read back as JSON: " + e.getOriginalMessage());
        }
    }
}
