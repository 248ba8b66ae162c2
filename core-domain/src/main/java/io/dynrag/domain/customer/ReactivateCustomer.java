package io.dynrag.domain.customer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record ReactivateCustomer(@TargetAggregateIdentifier String customerId) {
}
