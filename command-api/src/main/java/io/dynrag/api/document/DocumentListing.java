package io.dynrag.api.document;

import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.filter.DocumentFilter;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Lists a customer's documents (the documents read model), as they are and, by its history, as they were. */
public interface DocumentListing extends DocumentHistory {

    /** The documents the query selects, in its order, at most {@code query.limit()} of them. */
    List<DocumentListItem> list(DocumentQuery query);

    /** Ids of the customer's documents, deleted ones aside, that the filter keeps. */
    Set<String> matching(String customerId, DocumentFilter filter);

    /** The customer's documents among {@code documentIds}, in any order; unknown and foreign ones are absent. */
    List<DocumentListItem> listed(String customerId, Collection<String> documentIds);
}
