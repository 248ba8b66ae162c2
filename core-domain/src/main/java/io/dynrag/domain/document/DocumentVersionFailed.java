package io.dynrag.domain.document;

public record DocumentVersionFailed(
        String documentId, String customerId, int version, String reason, boolean retryable) {
}
