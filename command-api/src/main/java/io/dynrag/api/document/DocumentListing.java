package io.dynrag.api.document;

import io.dynrag.domain.document.DocumentQuery;

import java.util.List;

/** Lists a customer's documents (the documents read model). */
public interface DocumentListing {

    /** The documents the query selects, in its order, at most {@code query.limit()} of them. */
    List<DocumentListItem> list(DocumentQuery query);
}
