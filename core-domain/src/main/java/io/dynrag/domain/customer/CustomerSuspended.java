package io.dynrag.domain.customer;

public record CustomerSuspended(String customerId, String reason) {
}
