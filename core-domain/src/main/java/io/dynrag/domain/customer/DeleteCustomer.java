package io.dynrag.domain.customer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record DeleteCustomer(@TargetAggregateIdentifier String customerId) {
}
