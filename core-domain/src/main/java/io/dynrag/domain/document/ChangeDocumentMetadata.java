package io.dynrag.domain.document;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.Map;

/**
 * Changes a document's title and/or metadata without a new version.
 *
 * @param title         null keeps the title
 * @param metadataPatch null keeps the metadata; else a JSON merge patch of it: a key with a value sets it,
 *                      a key with null removes it ({@link DocumentMetadata#merged})
 * @param clearMetadata true to start from no metadata before the patch applies
 */
public record ChangeDocumentMetadata(
        @TargetAggregateIdentifier String documentId,
        String customerId,
        String title,
        Map<String, Object> metadataPatch,
        boolean clearMetadata) {
}
