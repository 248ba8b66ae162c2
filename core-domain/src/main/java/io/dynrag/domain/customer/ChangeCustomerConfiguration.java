package io.dynrag.domain.customer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * @param defaultCeilings the running default of every ceiling, for those the operator has not set
 *                        for this customer (they live in settings, not in events)
 */
public record ChangeCustomerConfiguration(@TargetAggregateIdentifier String customerId,
                                          CustomerConfiguration configuration,
                                          CustomerCeilings defaultCeilings) {
}
