package io.dynrag.domain.customer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record SuspendCustomer(@TargetAggregateIdentifier String customerId, String reason) {
}
