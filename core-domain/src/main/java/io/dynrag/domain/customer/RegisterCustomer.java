package io.dynrag.domain.customer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Creates a tenant. The id is chosen by the caller so a retried request can be recognised. */
public record RegisterCustomer(@TargetAggregateIdentifier String customerId, String name) {
}
