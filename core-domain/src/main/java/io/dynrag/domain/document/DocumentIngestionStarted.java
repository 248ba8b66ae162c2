package io.dynrag.domain.document;

public record DocumentIngestionStarted(String documentId, String customerId, int version) {
}
