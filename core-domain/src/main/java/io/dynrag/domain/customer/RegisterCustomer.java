package io.dynrag.domain.customer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Creates a tenant. Personal fields arrive already encrypted under the customer's data key; the
 * domain never sees them in clear.
 *
 * @param email null for customers an operator creates without a login
 */
public record RegisterCustomer(
        @TargetAggregateIdentifier String customerId,
        EncryptedText company,
        EncryptedText email,
        CustomerConfiguration configuration) {
}
