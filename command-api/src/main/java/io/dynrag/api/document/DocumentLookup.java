package io.dynrag.api.document;

import java.util.List;
import java.util.Optional;

/** Finds one of a customer's documents. Another tenant's document is simply not found. */
public interface DocumentLookup {

    Optional<DocumentView> find(String customerId, String documentId);

    /** Every version, oldest first; empty when the document is unknown or another tenant's. */
    List<DocumentView> versions(String customerId, String documentId);
}
