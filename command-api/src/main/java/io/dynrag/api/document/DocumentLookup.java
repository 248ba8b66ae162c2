package io.dynrag.api.document;

import java.util.Optional;

/** Finds one of a customer's documents. Another tenant's document is simply not found. */
@FunctionalInterface
public interface DocumentLookup {

    Optional<DocumentView> find(String customerId, String documentId);
}
