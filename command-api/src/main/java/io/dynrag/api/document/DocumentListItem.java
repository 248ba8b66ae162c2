package io.dynrag.api.document;

import io.dynrag.domain.document.filter.DocumentFilter;

import java.time.Instant;
import java.util.Map;

/**
 * A document as the list shows it: its latest version.
 *
 * @param bytes     size of the latest version's bytes
 * @param createdAt when its first version was uploaded
 * @param updatedAt its last change (upload, pipeline outcome, title or metadata, deletion)
 */
public record DocumentListItem(
        String documentId,
        String title,
        String status,
        String contentType,
        long bytes,
        int version,
        Instant createdAt,
        Instant updatedAt,
        Map<String, Object> metadata) {

    /** The document as filters see it. */
    public DocumentFilter.FilteredDocument filtered() {
        return new DocumentFilter.FilteredDocument(documentId, contentType, title, createdAt, updatedAt, metadata);
    }
}
