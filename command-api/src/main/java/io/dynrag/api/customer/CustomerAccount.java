package io.dynrag.api.customer;

import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.CustomerStatus;
import io.dynrag.domain.customer.EncryptedText;

import java.time.Instant;

/** A customer as the command side sees it: status, configuration and usage counters. */
public record CustomerAccount(
        String customerId,
        CustomerStatus status,
        CustomerConfiguration configuration,
        EncryptedText company,
        String provider,
        String providerFingerprint,
        int documentCount,
        Instant registeredAt,
        Instant updatedAt) {
}
