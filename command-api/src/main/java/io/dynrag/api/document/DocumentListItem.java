package io.dynrag.api.document;

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
}
