package io.dynrag.domain.document;

/** @param lanceVersion the first dataset version without the document's rows */
public record DocumentRemovedFromIndex(String documentId, String customerId, long lanceVersion) {
}
