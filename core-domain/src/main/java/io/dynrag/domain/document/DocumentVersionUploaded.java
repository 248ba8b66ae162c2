package io.dynrag.domain.document;

public record DocumentVersionUploaded(
        String documentId,
        String customerId,
        int version,
        String title,
        String contentType,
        String s3Key,
        String sha256,
        long bytes) {
}
