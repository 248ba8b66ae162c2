package io.dynrag.domain.customer;

public enum CustomerStatus {
    ACTIVE,
    SUSPENDED,
    DELETED
}
