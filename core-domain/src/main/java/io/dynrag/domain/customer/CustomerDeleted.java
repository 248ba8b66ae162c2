package io.dynrag.domain.customer;

/**
 * The customer is gone: its data key is destroyed (personal fields in earlier events become
 * unreadable) and its stored documents and datasets are removed. The events stay for audit.
 */
public record CustomerDeleted(String customerId) {
}
