package io.dynrag.domain.customer;

public record CustomerRegistered(String customerId, String name) {
}
