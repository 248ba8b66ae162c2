package io.dynrag.domain.document;

public record DocumentVersionIndexed(String documentId, String customerId, int version, IndexingStats stats) {
}
