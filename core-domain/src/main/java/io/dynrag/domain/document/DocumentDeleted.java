package io.dynrag.domain.document;

/**
 * The document is deleted: it disappears from search once the pipeline has removed its rows
 * (recorded by {@link DocumentRemovedFromIndex}), then its stored bytes are deleted.
 */
public record DocumentDeleted(String documentId, String customerId, int lastVersion) {
}
