package io.dynrag.domain.customer;

public record CustomerRegistered(
        String customerId,
        EncryptedText company,
        EncryptedText email,
        CustomerConfiguration configuration) {
}
