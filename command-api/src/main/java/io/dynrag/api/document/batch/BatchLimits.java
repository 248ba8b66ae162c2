package io.dynrag.api.document.batch;

/**
 * @param maxItems documents in one batch
 * @param maxBytes size of a multipart batch as a whole; each file is still held to the customer's limit
 */
public record BatchLimits(int maxItems, long maxBytes) {

    public BatchLimits {
        if (maxItems < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("batch limits must be positive");
        }
    }
}
