package io.dynrag.domain.customer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record ChangeCustomerConfiguration(@TargetAggregateIdentifier String customerId,
                                          CustomerConfiguration configuration) {
}
