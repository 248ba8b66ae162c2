package io.dynrag.domain.document;

import java.util.Map;

/**
 * The owner changed the document's title and/or metadata; its versions, bytes and index rows stay as
 * they are. Both fields hold the document's whole new state, not the change.
 */
public record DocumentMetadataChanged(String documentId, String customerId, String title,
                                      Map<String, Object> metadata) {

    public DocumentMetadataChanged {
        metadata = DocumentMetadata.checked(metadata);
    }
}
