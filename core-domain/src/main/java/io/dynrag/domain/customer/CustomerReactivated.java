package io.dynrag.domain.customer;

public record CustomerReactivated(String customerId) {
}
