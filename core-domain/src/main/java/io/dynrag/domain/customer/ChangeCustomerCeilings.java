package io.dynrag.domain.customer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** An operator sets the customer's ceilings: all of them, null where the default applies. */
public record ChangeCustomerCeilings(@TargetAggregateIdentifier String customerId, CustomerCeilings ceilings) {
}
